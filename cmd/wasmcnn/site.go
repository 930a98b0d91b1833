package main

import (
	"flag"
	"fmt"
	"io"

	"wasmcnn/internal/site"
)

// runSite builds the deployable static site.
func runSite(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "dist/site", "`directory` to write the site to (emptied first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	if err := site.Build(root, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "site written to %s\n", *out)
	return nil
}
