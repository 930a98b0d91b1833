package main

import (
	"flag"
	"fmt"
	"io"

	"wasmcnn/internal/npmpkg"
	"wasmcnn/internal/site"
)

// runPackage builds the npm package's folder (see internal/npmpkg);
// `npm pack` in it makes the tarball.
func runPackage(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "dist/npm/wasmcnn", "`directory` to write the package to (emptied first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	files, err := npmpkg.Build(root, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "npm package %s written to %s (%d files)\n", npmpkg.Name, *out, len(files))
	return nil
}
