package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// idxBytes builds an IDX file: the magic, the dimensions, then body.
func idxBytes(magic uint32, dims []uint32, body []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(body)
	return b.Bytes()
}

// gzipped compresses b.
func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// seq returns n bytes counting up from 1.
func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return b
}

func TestReadIDXImages(t *testing.T) {
	// Three images of 2×4: image n, pixel (r, c) holds 8n+4r+c+1.
	plain := idxBytes(0x803, []uint32{3, 2, 4}, seq(24))
	tests := []struct {
		desc string
		in   []byte
	}{
		{"plain", plain},
		{"gzipped", gzipped(plain)},
		{"with trailing data", append(append([]byte(nil), plain...), 9, 9, 9)},
	}
	for _, tt := range tests {
		m, err := ReadIDXImages(bytes.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.desc, err)
			continue
		}
		if m.N != 3 || m.Rows != 2 || m.Cols != 4 || len(m.Pix) != 24 {
			t.Errorf("%s: %d images of %d×%d with %d bytes, want 3 of 2×4 with 24", tt.desc, m.N, m.Rows, m.Cols, len(m.Pix))
			continue
		}
		if got := m.Pix[(2*m.Rows+1)*m.Cols+3]; got != 8*2+4*1+3+1 {
			t.Errorf("%s: image 2 pixel (1, 3) = %d, want %d", tt.desc, got, 8*2+4*1+3+1)
		}
		if img := m.Image(1); len(img) != 8 || img[0] != 9 || cap(img) != 8 {
			t.Errorf("%s: Image(1) = %v (cap %d), want 8 bytes from 9", tt.desc, img, cap(img))
		}
	}
	empty, err := ReadIDXImages(bytes.NewReader(idxBytes(0x803, []uint32{0, 28, 28}, nil)))
	if err != nil || empty.N != 0 || len(empty.Pix) != 0 {
		t.Errorf("no images: %+v, %v; want an empty set", empty, err)
	}
}

func TestReadIDXImagesErrors(t *testing.T) {
	tests := []struct {
		desc string
		in   []byte
		want error
	}{
		{"empty input", nil, ErrTruncated},
		{"header cut short", idxBytes(0x803, []uint32{3, 2}, nil), ErrTruncated},
		{"labels magic", idxBytes(0x801, []uint32{3, 2, 4}, seq(24)), ErrBadMagic},
		{"16-bit element type", idxBytes(0x0b03, []uint32{3, 2, 4}, seq(48)), ErrBadMagic},
		{"little-endian magic", idxBytes(0x03080000, []uint32{3, 2, 4}, seq(24)), ErrBadMagic},
		{"pixels cut short", idxBytes(0x803, []uint32{3, 2, 4}, seq(23)), ErrTruncated},
		{"gzipped, pixels cut short", gzipped(idxBytes(0x803, []uint32{3, 2, 4}, seq(20))), ErrTruncated},
		{"too many images", idxBytes(0x803, []uint32{MaxIDXItems + 1, 1, 1}, nil), ErrTooLarge},
		{"zero rows", idxBytes(0x803, []uint32{3, 0, 4}, nil), ErrTooLarge},
		{"too many columns", idxBytes(0x803, []uint32{1, 4, MaxIDXSide + 1}, nil), ErrTooLarge},
		{"absurd sizes that overflow 32 bits", idxBytes(0x803, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), ErrTooLarge},
		{"each size allowed, the product too large", idxBytes(0x803, []uint32{MaxIDXItems, MaxIDXSide, MaxIDXSide}, nil), ErrTooLarge},
		{"a large claim with little data", idxBytes(0x803, []uint32{1000, 1024, 1024}, seq(100)), ErrTruncated},
	}
	for _, tt := range tests {
		_, err := ReadIDXImages(bytes.NewReader(tt.in))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.desc, err, tt.want)
		}
	}
	// A corrupt gzip stream is an error too, whatever its kind.
	bad := gzipped(idxBytes(0x803, []uint32{3, 2, 4}, seq(24)))
	bad[len(bad)/2] ^= 0xff
	if _, err := ReadIDXImages(bytes.NewReader(bad)); err == nil {
		t.Error("corrupt gzip: no error")
	}
}

func TestReadIDXLabels(t *testing.T) {
	plain := idxBytes(0x801, []uint32{5}, []byte{7, 2, 1, 0, 4})
	for _, in := range [][]byte{plain, gzipped(plain)} {
		got, err := ReadIDXLabels(bytes.NewReader(in))
		if err != nil || !bytes.Equal(got, []byte{7, 2, 1, 0, 4}) {
			t.Errorf("labels %v, %v; want [7 2 1 0 4]", got, err)
		}
	}
	tests := []struct {
		desc string
		in   []byte
		want error
	}{
		{"images magic", idxBytes(0x803, []uint32{5}, seq(5)), ErrBadMagic},
		{"cut short", idxBytes(0x801, []uint32{5}, seq(4)), ErrTruncated},
		{"no count", idxBytes(0x801, nil, nil), ErrTruncated},
		{"too many", idxBytes(0x801, []uint32{MaxIDXItems + 1}, nil), ErrTooLarge},
	}
	for _, tt := range tests {
		if _, err := ReadIDXLabels(bytes.NewReader(tt.in)); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.desc, err, tt.want)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestReadIDXStopsAtEnd checks that the reader takes what the header says
// and no more than a buffer's worth beyond, so IDX files can be streamed.
func TestReadIDXStopsAtEnd(t *testing.T) {
	in := idxBytes(0x803, []uint32{2, 3, 3}, seq(18))
	r := &countingReader{r: io.MultiReader(bytes.NewReader(in), bytes.NewReader(make([]byte, 1<<20)))}
	if _, err := ReadIDXImages(r); err != nil {
		t.Fatal(err)
	}
	if r.n > len(in)+64<<10 {
		t.Errorf("read %d bytes for a %d-byte file", r.n, len(in))
	}
}

func TestLoadMNIST(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		desc string
		set  *Set
		n    int
	}{
		{"training set", train, 60000},
		{"test set", test, 10000},
	} {
		m := c.set.Images
		if m.N != c.n || m.Rows != 28 || m.Cols != 28 || len(m.Pix) != c.n*28*28 || len(c.set.Labels) != c.n {
			t.Errorf("%s: %d images of %d×%d and %d labels, want %d of 28×28", c.desc, m.N, m.Rows, m.Cols, len(c.set.Labels), c.n)
			continue
		}
		var count [10]int
		for _, l := range c.set.Labels {
			count[l]++ // LoadMNIST checked l ≤ 9
		}
		for d, k := range count {
			if k < c.n/20 {
				t.Errorf("%s: only %d images of a %d", c.desc, k, d)
			}
		}
	}
	// The first training image is a 5, the first test image a 7.
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels %d and %d, want 5 and 7", train.Labels[0], test.Labels[0])
	}
}

// TestMNISTCentreOfMass records where MNIST put its digits, which
// core.FieldCentre copies: the centre of mass of every digit, in index
// coordinates (pixel i at i), lies in [13.5, 14.5) on both axes, because
// MNIST moved each digit by whole pixels to bring it to pixel 14.
func TestMNISTCentreOfMass(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	_, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := test.Images
	var sumX, sumY float64
	for n := 0; n < m.N; n++ {
		var mass, mx, my float64
		for i, v := range m.Image(n) {
			mass += float64(v)
			mx += float64(v) * float64(i%m.Cols)
			my += float64(v) * float64(i/m.Cols)
		}
		cx, cy := mx/mass, my/mass
		if cx < 13.5-1e-9 || cx >= 14.5 || cy < 13.5-1e-9 || cy >= 14.5 {
			t.Fatalf("test image %d: centre of mass (%.3f, %.3f), want both in [13.5, 14.5)", n, cx, cy)
		}
		sumX += cx
		sumY += cy
	}
	meanX, meanY := sumX/float64(m.N), sumY/float64(m.N)
	t.Logf("mean centre of mass of %d test digits: (%.3f, %.3f)", m.N, meanX, meanY)
	if meanX < 13.95 || meanX > 14.05 || meanY < 13.95 || meanY > 14.05 {
		t.Errorf("mean centre of mass (%.3f, %.3f), want (14, 14)", meanX, meanY)
	}
}
