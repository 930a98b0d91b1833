package main

// The worker reads and writes its few JSON shapes by hand: encoding/json
// and the reflection it relies on are a sixth of the edge bundle's code, and
// the drawing is a fixed, shallow shape. parseDrawing accepts what
// encoding/json with DisallowUnknownFields accepted for it (field names
// match regardless of ASCII case, null leaves a value empty, a later field
// overrides an earlier one) and nothing after the object but white space;
// FuzzParseDrawing holds it to that.

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// drawing is the JSON body of /predict; nil slices are fields absent or null.
type drawing struct {
	Strokes [][][]float64
	Pixels  []float64
}

// syntaxError is a body that is not the JSON the worker takes.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return e.msg + " at byte " + strconv.Itoa(e.offset)
}

// jsonReader reads JSON values from b; the first error stops it.
type jsonReader struct {
	b   []byte
	i   int
	err *syntaxError
}

func (r *jsonReader) fail(msg string) {
	if r.err == nil {
		r.err = &syntaxError{msg, r.i}
	}
}

// next skips white space and returns the next byte without consuming it,
// or 0 at the end or after an error (a NUL byte also reads as 0: callers
// that care compare r.i with len(r.b)).
func (r *jsonReader) next() byte {
	for r.err == nil && r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// unexpected records what was found where something else was wanted.
func (r *jsonReader) unexpected(want string) {
	c := r.next()
	switch {
	case r.err != nil:
	case r.i >= len(r.b):
		r.fail("unexpected end of JSON, want " + want)
	default:
		r.fail("unexpected " + strconv.QuoteRune(rune(c)) + ", want " + want)
	}
}

// eat consumes c if it comes next.
func (r *jsonReader) eat(c byte) bool {
	if r.next() == c && r.err == nil {
		r.i++
		return true
	}
	return false
}

// null consumes a null if one comes next.
func (r *jsonReader) null() bool {
	if r.next() != 'n' {
		return false
	}
	if len(r.b)-r.i < 4 || string(r.b[r.i:r.i+4]) != "null" {
		r.fail("invalid literal")
		return false
	}
	r.i += 4
	return true
}

// word consumes true, false or null.
func (r *jsonReader) word() {
	for _, w := range []string{"true", "false", "null"} {
		if len(r.b)-r.i >= len(w) && string(r.b[r.i:r.i+len(w)]) == w {
			r.i += len(w)
			return
		}
	}
	r.fail("invalid literal")
}

// str reads a string.
func (r *jsonReader) str() string {
	if !r.eat('"') {
		r.unexpected("a string")
		return ""
	}
	var out []byte
	for r.err == nil {
		if r.i >= len(r.b) {
			r.fail("unterminated string")
			break
		}
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return string(out)
		case c < 0x20:
			r.fail("control character in a string")
		case c == '\\':
			r.i++
			r.escape(&out)
		default:
			out = append(out, c)
			r.i++
		}
	}
	return ""
}

// escape decodes the escape after a backslash.
func (r *jsonReader) escape(out *[]byte) {
	if r.i >= len(r.b) {
		r.fail("unterminated string")
		return
	}
	c := r.b[r.i]
	r.i++
	switch c {
	case '"', '\\', '/':
		*out = append(*out, c)
	case 'b':
		*out = append(*out, '\b')
	case 'f':
		*out = append(*out, '\f')
	case 'n':
		*out = append(*out, '\n')
	case 'r':
		*out = append(*out, '\r')
	case 't':
		*out = append(*out, '\t')
	case 'u':
		u := r.hex4()
		if 0xd800 <= u && u < 0xdc00 && len(r.b)-r.i >= 6 && r.b[r.i] == '\\' && r.b[r.i+1] == 'u' {
			save := r.i
			r.i += 2
			if lo := r.hex4(); 0xdc00 <= lo && lo < 0xe000 {
				u = 0x10000 + (u-0xd800)<<10 + (lo - 0xdc00)
			} else {
				r.i = save
			}
		}
		if 0xd800 <= u && u < 0xe000 {
			u = utf8.RuneError
		}
		*out = utf8.AppendRune(*out, u)
	default:
		r.i--
		r.fail("invalid escape in a string")
	}
}

func (r *jsonReader) hex4() rune {
	if len(r.b)-r.i < 4 {
		r.fail("invalid \\u escape")
		return 0
	}
	var v rune
	for _, c := range r.b[r.i : r.i+4] {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			r.fail("invalid \\u escape")
			return 0
		}
	}
	r.i += 4
	return v
}

// number reads a number as JSON writes it (no leading +, zeros or dot).
func (r *jsonReader) number() float64 {
	start := r.i
	digits := func() int {
		n := 0
		for r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case digits() == 0:
		r.fail("invalid number")
		return 0
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			r.fail("invalid number")
			return 0
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			r.fail("invalid number")
			return 0
		}
	}
	v, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil {
		msg := "number " + string(r.b[start:r.i]) + " out of range"
		r.i = start
		r.fail(msg)
	}
	return v
}

// skip reads any value, nested at most depth deep.
func (r *jsonReader) skip(depth int) {
	if depth <= 0 {
		r.fail("nested too deeply")
		return
	}
	switch r.next() {
	case '{':
		r.i++
		if r.eat('}') {
			return
		}
		for r.err == nil {
			r.str()
			if !r.eat(':') {
				r.unexpected("':'")
			}
			r.skip(depth - 1)
			if !r.eat(',') {
				if !r.eat('}') {
					r.unexpected("',' or '}'")
				}
				return
			}
		}
	case '[':
		r.i++
		if r.eat(']') {
			return
		}
		for r.err == nil {
			r.skip(depth - 1)
			if !r.eat(',') {
				if !r.eat(']') {
					r.unexpected("',' or ']'")
				}
				return
			}
		}
	case '"':
		r.str()
	case 't', 'f', 'n':
		r.word()
	default:
		r.number()
	}
}

// object reads an object, calling field for each name with the reader at
// its value, which field must consume.
func (r *jsonReader) object(field func(name string)) {
	if !r.eat('{') {
		r.unexpected("an object")
		return
	}
	if r.eat('}') {
		return
	}
	for r.err == nil {
		name := r.str()
		if !r.eat(':') {
			r.unexpected("':'")
			return
		}
		field(name)
		if !r.eat(',') {
			if !r.eat('}') {
				r.unexpected("',' or '}'")
			}
			return
		}
	}
}

// array reads an array or null (reporting false), calling elem for each
// element.
func (r *jsonReader) array(what string, elem func()) bool {
	if r.null() {
		return false
	}
	if !r.eat('[') {
		r.unexpected(what)
		return false
	}
	if r.eat(']') {
		return true
	}
	for r.err == nil {
		elem()
		if !r.eat(',') {
			if !r.eat(']') {
				r.unexpected("',' or ']'")
			}
			break
		}
	}
	return true
}

// numbers reads an array of numbers (null elements read as 0) into a
// slice; null gives nil.
func (r *jsonReader) numbers(what string) []float64 {
	out := []float64{}
	if !r.array(what, func() {
		v := 0.0
		if !r.null() {
			if c := r.next(); c != '-' && (c < '0' || c > '9') {
				r.unexpected("a number")
				return
			}
			v = r.number()
		}
		out = append(out, v)
	}) {
		return nil
	}
	return out
}

// parseDrawing reads the JSON body of /predict.
func parseDrawing(b []byte) (drawing, error) {
	var d drawing
	r := jsonReader{b: b}
	if !r.null() {
		r.object(func(name string) {
			switch {
			case equalFoldASCII(name, "strokes"):
				var strokes [][][]float64
				if r.array("an array of strokes", func() {
					var stroke [][]float64
					if r.array("a stroke: an array of points", func() {
						stroke = append(stroke, r.numbers("a point: [x, y]"))
					}) && stroke == nil {
						stroke = [][]float64{}
					}
					strokes = append(strokes, stroke)
				}) && strokes == nil {
					strokes = [][][]float64{}
				}
				d.Strokes = strokes
			case equalFoldASCII(name, "pixels"):
				d.Pixels = r.numbers("an array of 784 numbers")
			default:
				r.fail("unknown field " + strconv.Quote(name))
			}
		})
	}
	if r.next(); r.err == nil && r.i < len(r.b) {
		r.fail("data after the object")
	}
	if r.err != nil {
		return drawing{}, r.err
	}
	return d, nil
}

// equalFoldASCII compares a with b, a lower-case ASCII word, ignoring case.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// cardString returns the string field name of a JSON object (the model
// card), or "" if it has none.
func cardString(card []byte, name string) string {
	r := jsonReader{b: card}
	var v string
	r.object(func(field string) {
		if field == name && r.next() == '"' {
			v = r.str()
			return
		}
		r.skip(64)
	})
	if r.err != nil {
		return ""
	}
	return v
}

// appendString appends s as a JSON string, escaped as encoding/json does
// (HTML-sensitive characters too; invalid UTF-8 becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// appendFloat32 appends a finite float32 as encoding/json writes it: the
// shortest decimal that reads back as the same float32.
func appendFloat32(b []byte, f float32) []byte {
	abs := math.Abs(float64(f))
	format := byte('f')
	if abs != 0 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, float64(f), format, -1, 32)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
