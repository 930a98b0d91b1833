// Package fmtlite formats wasmcnn's messages the way package fmt does, for
// the verbs and argument types the messages use, without fmt's reflection.
//
// fmt formats any value through package reflect, so a program that calls
// it carries fmt, reflect, internal/fmtsort and their type descriptors:
// about 180 kB of a browser download, gzipped (measured on a small
// GOOS=js program, with `wasmcnn size`). The browser builds need fmt only
// for error messages and a few labels, whose arguments are numbers,
// strings, errors and slices of them.
//
// Supported: the verbs %v %d %s %q %g %f %e %x %c %t %w and %%, with
// flags "-", "+", "0", " ", width and precision; arguments of the basic
// types, slices of them, [][]int (lists of shapes), nil, and values with
// an Error or String method
// (used as fmt uses them: Error first). Any other argument prints as
// "%!v(unsupported)"; the package's test type-checks every caller in the
// repository so that none passes one. Named types without a String method
// are not recognised (a type switch cannot see their underlying type):
// callers convert them, int(k), as the test demands.
package fmtlite

import (
	"strconv"
	"unicode/utf8"
)

// Sprintf formats like fmt.Sprintf.
func Sprintf(format string, args ...any) string {
	var p printer
	p.printf(format, args)
	return string(p.buf)
}

// Sprint formats like fmt.Sprint: operands in their %v form, with a space
// between two operands when neither is a string.
func Sprint(args ...any) string {
	var p printer
	for i, a := range args {
		_, isString := a.(string)
		if i > 0 && !isString && !p.lastString {
			p.buf = append(p.buf, ' ')
		}
		p.arg(a, 'v', spec{width: -1, prec: -1})
		p.lastString = isString
	}
	return string(p.buf)
}

// Errorf formats like fmt.Errorf: the error's message is the formatted
// text, and an operand of %w is wrapped (Unwrap returns it, or with more
// than one %w returns them all), so errors.Is and errors.As see through it.
func Errorf(format string, args ...any) error {
	var p printer
	p.wrapOK = true
	p.printf(format, args)
	msg := string(p.buf)
	switch len(p.wrapped) {
	case 0:
		return &plainError{msg}
	case 1:
		return &wrapError{msg, p.wrapped[0]}
	}
	return &wrapErrors{msg, p.wrapped}
}

type plainError struct{ msg string }

func (e *plainError) Error() string { return e.msg }

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// spec is one verb's flags, width and precision.
type spec struct {
	minus, plus, zero, space bool
	width, prec              int // −1: not given
}

type printer struct {
	buf        []byte
	wrapOK     bool
	wrapped    []error
	lastString bool
}

func (p *printer) printf(format string, args []any) {
	next := 0
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			j := i
			for j < len(format) && format[j] != '%' {
				j++
			}
			p.buf = append(p.buf, format[i:j]...)
			i = j
			continue
		}
		i++
		s := spec{width: -1, prec: -1}
	flags:
		for ; i < len(format); i++ {
			switch format[i] {
			case '-':
				s.minus = true
			case '+':
				s.plus = true
			case '0':
				s.zero = true
			case ' ':
				s.space = true
			default:
				break flags
			}
		}
		s.width, i = number(format, i)
		if i < len(format) && format[i] == '.' {
			i++
			s.prec, i = number(format, i)
			if s.prec < 0 {
				s.prec = 0
			}
		}
		if i >= len(format) {
			p.buf = append(p.buf, "%!(NOVERB)"...)
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if verb == '%' {
			p.buf = append(p.buf, '%')
			continue
		}
		if next >= len(args) {
			p.buf = append(p.buf, "%!"...)
			p.buf = utf8.AppendRune(p.buf, verb)
			p.buf = append(p.buf, "(MISSING)"...)
			continue
		}
		a := args[next]
		next++
		if verb == 'w' {
			err, ok := a.(error)
			if !p.wrapOK || !ok {
				p.buf = append(p.buf, "%!w("...)
				p.arg(a, 'v', spec{width: -1, prec: -1})
				p.buf = append(p.buf, ')')
				continue
			}
			p.wrapped = append(p.wrapped, err)
			verb = 'v'
		}
		if verb == 'v' {
			s.plus = false // %+v adds field names to structs, never a sign
		}
		p.arg(a, verb, s)
	}
	if next < len(args) {
		p.buf = append(p.buf, "%!(EXTRA)"...)
	}
}

// number reads a decimal number at format[i:], or returns −1.
func number(format string, i int) (int, int) {
	n, start := 0, i
	for ; i < len(format) && '0' <= format[i] && format[i] <= '9'; i++ {
		n = 10*n + int(format[i]-'0')
		if n > 1e6 {
			n = 1e6
		}
	}
	if i == start {
		return -1, i
	}
	return n, i
}

// arg formats one operand, padded to the spec's width (a slice's
// elements are padded one by one, as fmt does).
func (p *printer) arg(a any, verb rune, s spec) {
	start := len(p.buf)
	if !p.value(a, verb, s) && s.width >= 0 {
		p.pad(start, s)
	}
}

// pad widens what was written since start to the spec's width.
func (p *printer) pad(start int, s spec) {
	n := utf8.RuneCount(p.buf[start:])
	if n >= s.width {
		return
	}
	fill := s.width - n
	if s.minus {
		for range fill {
			p.buf = append(p.buf, ' ')
		}
		return
	}
	padc := byte(' ')
	at := start
	if s.zero {
		padc = '0'
		if at < len(p.buf) && (p.buf[at] == '-' || p.buf[at] == '+' || p.buf[at] == ' ') {
			at++ // zeros go after the sign
		}
	}
	p.buf = append(p.buf, make([]byte, fill)...)
	copy(p.buf[at+fill:], p.buf[at:len(p.buf)-fill])
	for k := range fill {
		p.buf[at+k] = padc
	}
}

// value formats one operand and reports whether it padded it itself.
func (p *printer) value(a any, verb rune, s spec) (padded bool) {
	switch v := a.(type) {
	case nil:
		if verb == 'v' {
			p.buf = append(p.buf, "<nil>"...)
		} else {
			p.bad(verb, "<nil>")
		}
	case error:
		p.text(v.Error(), verb, s)
	case interface{ String() string }:
		p.text(v.String(), verb, s)
	case string:
		p.text(v, verb, s)
	case bool:
		p.buf = strconv.AppendBool(p.buf, v)
	case int:
		p.int(int64(v), verb, s)
	case int8:
		p.int(int64(v), verb, s)
	case int16:
		p.int(int64(v), verb, s)
	case int32:
		p.int(int64(v), verb, s)
	case int64:
		p.int(v, verb, s)
	case uint:
		p.uint(uint64(v), verb, s)
	case uint8:
		p.uint(uint64(v), verb, s)
	case uint16:
		p.uint(uint64(v), verb, s)
	case uint32:
		p.uint(uint64(v), verb, s)
	case uint64:
		p.uint(v, verb, s)
	case uintptr:
		p.uint(uint64(v), verb, s)
	case float32:
		p.float(float64(v), 32, verb, s)
	case float64:
		p.float(v, 64, verb, s)
	case []int:
		list(p, v, verb, s)
		return true
	case []int32:
		list(p, v, verb, s)
		return true
	case []int64:
		list(p, v, verb, s)
		return true
	case []uint64:
		list(p, v, verb, s)
		return true
	case []float32:
		list(p, v, verb, s)
		return true
	case []float64:
		list(p, v, verb, s)
		return true
	case []string:
		list(p, v, verb, s)
		return true
	case [][]int:
		list(p, v, verb, s)
		return true
	case []byte:
		if verb == 's' || verb == 'q' {
			p.text(string(v), verb, s)
			return false
		}
		list(p, v, verb, s)
		return true
	default:
		p.buf = append(p.buf, "%!v(unsupported)"...)
	}
	return false
}

// list formats a slice as fmt does: "[a b c]", the verb, flags, width
// and precision applied to each element.
func list[T any](p *printer, v []T, verb rune, s spec) {
	p.buf = append(p.buf, '[')
	for i := range v {
		if i > 0 {
			p.buf = append(p.buf, ' ')
		}
		p.arg(v[i], verb, s)
	}
	p.buf = append(p.buf, ']')
}

func (p *printer) text(v string, verb rune, s spec) {
	if s.prec >= 0 && (verb == 's' || verb == 'v' || verb == 'q') {
		n := 0
		for i := range v {
			if n == s.prec {
				v = v[:i]
				break
			}
			n++
		}
	}
	switch verb {
	case 'v', 's':
		p.buf = append(p.buf, v...)
	case 'q':
		if s.plus {
			p.buf = strconv.AppendQuoteToASCII(p.buf, v)
		} else {
			p.buf = strconv.AppendQuote(p.buf, v)
		}
	case 'x':
		const hex = "0123456789abcdef"
		for i := 0; i < len(v); i++ {
			p.buf = append(p.buf, hex[v[i]>>4], hex[v[i]&15])
		}
	default:
		p.bad(verb, v)
	}
}

func (p *printer) sign(neg bool, s spec) {
	switch {
	case neg:
		p.buf = append(p.buf, '-')
	case s.plus:
		p.buf = append(p.buf, '+')
	case s.space:
		p.buf = append(p.buf, ' ')
	}
}

func (p *printer) int(v int64, verb rune, s spec) {
	switch verb {
	case 'v', 'd':
		p.sign(v < 0, s)
		u := uint64(v)
		if v < 0 {
			u = -u
		}
		p.buf = strconv.AppendUint(p.buf, u, 10)
	case 'x':
		p.sign(v < 0, s)
		u := uint64(v)
		if v < 0 {
			u = -u
		}
		p.buf = strconv.AppendUint(p.buf, u, 16)
	case 'c':
		p.buf = utf8.AppendRune(p.buf, rune(v))
	case 'q':
		p.buf = strconv.AppendQuoteRune(p.buf, rune(v))
	default:
		p.bad(verb, strconv.FormatInt(v, 10))
	}
}

func (p *printer) uint(v uint64, verb rune, s spec) {
	switch verb {
	case 'v', 'd':
		p.sign(false, s)
		p.buf = strconv.AppendUint(p.buf, v, 10)
	case 'x':
		p.buf = strconv.AppendUint(p.buf, v, 16)
	case 'c':
		p.buf = utf8.AppendRune(p.buf, rune(v))
	default:
		p.bad(verb, strconv.FormatUint(v, 10))
	}
}

func (p *printer) float(v float64, size int, verb rune, s spec) {
	prec := s.prec
	switch verb {
	case 'v':
		verb, prec = 'g', -1
	case 'g', 'e', 'f':
		if verb != 'g' && prec < 0 {
			prec = 6
		}
	default:
		p.bad(verb, strconv.FormatFloat(v, 'g', -1, size))
		return
	}
	// As fmt does: a sign slot, "+" unless strconv wrote a sign, kept for
	// negative numbers, infinities and when asked for.
	num := strconv.AppendFloat([]byte{'+'}, v, byte(verb), prec, size)
	if num[1] == '-' || num[1] == '+' {
		num = num[1:]
	} else {
		num[0] = '+'
	}
	if s.space && num[0] == '+' && !s.plus {
		num[0] = ' '
	}
	switch {
	case num[1] == 'N' && !s.space && !s.plus:
		num = num[1:]
	case num[1] == 'I' || num[1] == 'N':
	case !s.plus && num[0] == '+':
		num = num[1:]
	}
	p.buf = append(p.buf, num...)
}

// bad writes fmt's mark of a verb that does not fit its operand.
func (p *printer) bad(verb rune, v string) {
	p.buf = append(p.buf, "%!"...)
	p.buf = utf8.AppendRune(p.buf, verb)
	p.buf = append(p.buf, '(')
	p.buf = append(p.buf, v...)
	p.buf = append(p.buf, ')')
}

// Panic describes a recovered panic value for a log line: the text of an
// error, a string or a value with a String method, as fmt.Sprint gives it,
// and the %v form of the other types fmtlite knows; anything else is
// "a panic value of an unsupported type".
func Panic(r any) string {
	var p printer
	if p.value(r, 'v', spec{width: -1, prec: -1}); string(p.buf) == "%!v(unsupported)" {
		return "a panic value of an unsupported type"
	}
	return string(p.buf)
}
