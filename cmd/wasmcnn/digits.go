package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"wasmcnn/data"
	"wasmcnn/wasm/adapt"
)

// runDigits writes the MNIST test digits shipped with the page, with which
// it judges the pixel scale of a dropped model: the first few test images
// of each digit, in the format adapt.ReadDigits reads.
func runDigits(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("digits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	per := fs.Int("per-digit", 2, "test images of each digit to take (the first ones of the MNIST test set)")
	out := fs.String("out", "web/models/mnist-sample.bin", "`file` to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *per < 1 || *per > 100 {
		return fmt.Errorf("-per-digit %d: want 1 to 100", *per)
	}
	dir, err := data.MNISTDir()
	if err != nil {
		return err
	}
	_, test, err := data.LoadMNIST(dir)
	if err != nil {
		return err
	}
	b := sampleDigits(test, *per)
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d digits (%d bytes) written to %s\n", len(b)/adapt.DigitBytes, len(b), *out)
	return nil
}

// sampleDigits takes the first per test images of each digit, ordered by
// digit, as records of the label then the 28×28 pixels.
func sampleDigits(test *data.Set, per int) []byte {
	var b []byte
	for d := 0; d < 10; d++ {
		n := 0
		for i, l := range test.Labels {
			if int(l) != d {
				continue
			}
			b = append(b, l)
			b = append(b, test.Images.Image(i)...)
			if n++; n == per {
				break
			}
		}
	}
	return b
}
