package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"wasmcnn/data"
	"wasmcnn/wasm/adapt"
)

// runDigits writes the MNIST digits shipped with the page, in the format
// adapt.ReadDigits reads: the first few images of each digit of the test
// set, with which the page judges the pixel scale of a dropped model
// (web/models/mnist-sample.bin), or of the training set, which
// fine-tuning replays (-set train -per-digit 10 -out
// web/models/mnist-replay.bin).
func runDigits(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("digits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	per := fs.Int("per-digit", 2, "images of each digit to take (the first ones of the set)")
	set := fs.String("set", "test", "MNIST set to take them from: test or train")
	out := fs.String("out", "web/models/mnist-sample.bin", "`file` to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *per < 1 || *per > 100 {
		return fmt.Errorf("-per-digit %d: want 1 to 100", *per)
	}
	if *set != "test" && *set != "train" {
		return fmt.Errorf("-set %q: want test or train", *set)
	}
	dir, err := data.MNISTDir()
	if err != nil {
		return err
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		return err
	}
	if *set == "train" {
		test = train
	}
	b := sampleDigits(test, *per)
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d digits (%d bytes) written to %s\n", len(b)/adapt.DigitBytes, len(b), *out)
	return nil
}

// sampleDigits takes the first per images of each digit of set, ordered
// by digit, as records of the label then the 28×28 pixels.
func sampleDigits(set *data.Set, per int) []byte {
	var b []byte
	for d := 0; d < 10; d++ {
		n := 0
		for i, l := range set.Labels {
			if int(l) != d {
				continue
			}
			b = append(b, l)
			b = append(b, set.Images.Image(i)...)
			if n++; n == per {
				break
			}
		}
	}
	return b
}
