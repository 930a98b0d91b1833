package fmtlite

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
)

type stringer struct{}

func (stringer) String() string { return "a stringer" }

type errAndString struct{}

func (errAndString) Error() string  { return "the error" }
func (errAndString) String() string { return "the string" }

// TestSameAsFmt holds every supported verb, flag and type to fmt's output.
func TestSameAsFmt(t *testing.T) {
	var nilErr error
	cases := []struct {
		format string
		args   []any
	}{
		{"plain text", nil},
		{"%d %d %d %d %d", []any{0, -7, int8(-8), int64(math.MinInt64), uint64(math.MaxUint64)}},
		{"%v %v %v %v", []any{int32(5), uint8(200), uint16(7), uintptr(9)}},
		{"%s and %v and %q", []any{"x", "y", "z\n\"quoted\" é"}},
		{"%+q %x", []any{"é", "hi"}},
		{"%v %v", []any{true, false}},
		{"%g %v %g %v", []any{1.5, 1e21, float32(0.1), 1e-7}},
		{"%.1f %.0f %.3g %e %f", []any{2.25, 0.5, math.Pi, 123456.789, 1.0 / 3}},
		{"%v %v %v %.1f %+v % v", []any{math.Inf(1), math.Inf(-1), math.NaN(), math.Inf(1), math.NaN(), math.NaN()}},
		{"%+d %+.1f % d % .2f", []any{5, 2.0, 5, -2.5}},
		{"%5d|%-5d|%05d|%05.1f|%-8s|%8s|%3v", []any{42, 42, -42, -3.14, "ab", "é", "x"}},
		{"%v %d %v %v", []any{[]int{1, -2, 3}, []int64{4, 5}, []float32{0.5, 1e-9}, []string{"a", "b"}}},
		{"%q %3d %v", []any{[]string{"a b", "c"}, []int{1, 22}, []int32{}}},
		{"%v %s %v %x", []any{[]byte{1, 2}, []byte("bytes"), []uint64{7}, 255}},
		{"%v %s %v", []any{nil, nilErr, []float64{2}}},
		{"%v|%s|%d", []any{errors.New("boom"), stringer{}, -0}},
		{"%v %s", []any{errAndString{}, errAndString{}}},
		{"%c%c %q %x", []any{'G', 'ö', 'x', -255}},
		{"100%% sure, %.0f%%", []any{99.6}},
		{"%.2s|%.1q|%5.2s|", []any{"héllo", "abc", "xyz"}},
		{"%d→%d×%d", []any{1, 2, 3}},
		{"%v and %d", []any{[][]int{{1, 28, 28}, {}, {4}}, [][]int{{5, 6}}}},
	}
	for _, c := range cases {
		want := fmt.Sprintf(c.format, c.args...)
		if got := Sprintf(c.format, c.args...); got != want {
			t.Errorf("Sprintf(%q): got %q, want %q", c.format, got, want)
		}
	}
	for _, args := range [][]any{{1, 2, "a", 3, "b", "c", 4.5}, {"x"}, {errors.New("e"), 7, stringer{}}, {nil, 1}} {
		if got, want := Sprint(args...), fmt.Sprint(args...); got != want {
			t.Errorf("Sprint(%v): got %q, want %q", args, got, want)
		}
	}
}

// TestRandomNumbers cross-checks numbers with fmt for every numeric verb.
func TestRandomNumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		f := math.Float64frombits(r.Uint64())
		if i%2 == 0 {
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		}
		n := r.Int64() >> r.IntN(64)
		for _, format := range []string{"%v", "%g", "%.1f", "%.0f", "%e", "%.3g", "%+v", "%8.2f", "%-10v|"} {
			if got, want := Sprintf(format, f), fmt.Sprintf(format, f); got != want {
				t.Fatalf("Sprintf(%q, %v): got %q, want %q", format, f, got, want)
			}
			if got, want := Sprintf(format, float32(f)), fmt.Sprintf(format, float32(f)); got != want {
				t.Fatalf("Sprintf(%q, float32 %v): got %q, want %q", format, float32(f), got, want)
			}
		}
		for _, format := range []string{"%d", "%v", "%x", "%+d", "%06d", "%-4d|"} {
			if got, want := Sprintf(format, n), fmt.Sprintf(format, n); got != want {
				t.Fatalf("Sprintf(%q, %d): got %q, want %q", format, n, got, want)
			}
		}
	}
}

// TestErrorf checks the message and the wrapping of %w, as fmt.Errorf.
func TestErrorf(t *testing.T) {
	base := io.ErrUnexpectedEOF
	other := errors.New("other")
	cases := []struct {
		format string
		args   []any
	}{
		{"no verbs", nil},
		{"load: %w", []any{base}},
		{"%s: %w (%d)", []any{"x", base, 3}},
		{"%w and %w", []any{base, other}},
		{"%v is not wrapped", []any{base}},
		{"not an error: %w", []any{5}},
	}
	for _, c := range cases {
		got, want := Errorf(c.format, c.args...), fmt.Errorf(c.format, c.args...)
		if got.Error() != want.Error() && c.format != "not an error: %w" {
			t.Errorf("Errorf(%q): %q, want %q", c.format, got, want)
		}
		for _, target := range []error{base, other} {
			if errors.Is(got, target) != errors.Is(want, target) {
				t.Errorf("Errorf(%q): errors.Is(%v) %v, fmt's %v", c.format, target, errors.Is(got, target), errors.Is(want, target))
			}
		}
		if (errors.Unwrap(got) == nil) != (errors.Unwrap(want) == nil) {
			t.Errorf("Errorf(%q): Unwrap %v, fmt's %v", c.format, errors.Unwrap(got), errors.Unwrap(want))
		}
	}
	// fmt names the operand's type in its mark; fmtlite cannot.
	if got := Errorf("not an error: %w", 5).Error(); got != "not an error: %!w(5)" {
		t.Errorf("a %%w of an int: %q", got)
	}
}

// TestMistakes checks the marks of a format that does not fit its
// arguments (go vet's printf check catches these at build time).
func TestMistakes(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Sprintf("%d"), "%!d(MISSING)"},
		{Sprintf("a", 1), "a%!(EXTRA)"},
		{Sprintf("%z", 1), "%!z(1)"},
		{Sprintf("%"), "%!(NOVERB)"},
		{Sprintf("%v", struct{}{}), "%!v(unsupported)"},
		{Sprintf("%v", map[string]int{}), "%!v(unsupported)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func BenchmarkSprintf(b *testing.B) {
	for range b.N {
		Sprintf("node %q (%s): input %d has shape %v, want rank %d", "conv1", "Conv", 1, []int{1, 3, 28, 28}, 4)
	}
}

func TestPanic(t *testing.T) {
	type odd struct{ x int }
	for _, c := range []struct {
		r    any
		want string
	}{
		{errors.New("boom"), "boom"},
		{"text", "text"},
		{42, "42"},
		{stringer{}, "a stringer"},
		{odd{1}, "a panic value of an unsupported type"},
	} {
		if got := Panic(c.r); got != c.want {
			t.Errorf("Panic(%#v) = %q, want %q", c.r, got, c.want)
		}
	}
}
