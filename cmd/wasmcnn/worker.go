package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"wasmcnn/internal/edge"
	"wasmcnn/internal/site"
)

// runWorker builds the edge worker's bundle and, unless -build-only, serves
// it under workerd on 127.0.0.1 until interrupted.
func runWorker(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8787"
	}
	addr := fs.String("addr", "127.0.0.1:"+port, "address to serve on (the PORT environment variable sets the default port)")
	buildOnly := fs.Bool("build-only", false, "only build the bundle (worker/build), for wrangler deploy")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "worker", "build")
	fmt.Fprintln(stderr, "building the worker bundle…")
	if err := edge.BuildBundle(root, dir); err != nil {
		return err
	}
	raw, gz, err := edge.BundleSize(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bundle %s: %.2f MB, %.2f MB gzip\n", dir, float64(raw)/1e6, float64(gz)/1e6)
	if *buildOnly {
		return nil
	}
	cmd, err := edge.Command(root, dir, *addr)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "worker on http://%s/ under workerd (Ctrl-C to stop): POST /predict, GET /healthz, GET /model\n", *addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGTERM)
		return <-done
	}
}
