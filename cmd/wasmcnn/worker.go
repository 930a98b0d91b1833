package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"wasmcnn/data"
	"wasmcnn/internal/site"
	"wasmcnn/internal/workerd"
)

// runWorker builds the edge worker's bundle and, unless -build-only, serves
// it under workerd on 127.0.0.1 until interrupted; with -bench it measures
// the bundle of each entry instead.
func runWorker(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := os.Getenv("PORT")
	if port == "" {
		port = "8787"
	}
	addr := fs.String("addr", "127.0.0.1:"+port, "address to serve on (the PORT environment variable sets the default port)")
	buildOnly := fs.Bool("build-only", false, "only build the bundle (worker/build), for wrangler deploy")
	entry := fs.String("entry", string(workerd.EntryIsolate), "entry module: isolate (one Go instance per isolate) or request (a new instance per request, github.com/syumai/workers's own, kept for comparison)")
	kernel := fs.String("kernel", string(workerd.KernelRelaxed), "matrix kernel of the isolate entry: relaxed (relaxed SIMD), simd or go")
	bench := fs.Bool("bench", false, "measure the worker under workerd: CPU per request, latency, first request, throughput, bundle size, for each of -bench-entries")
	benchEntries := fs.String("bench-entries", "isolate,request", "bundles the bench measures, in order: entry, entry:kernel or entry@git-revision (isolate, isolate:go, request, request@HEAD~3, …)")
	requests := fs.Int("requests", 2000, "bench: sequential /predict requests of pen strokes")
	warmup := fs.Int("warmup", 30, "bench: requests before measuring")
	concurrency := fs.Int("concurrency", 16, "bench: clients of the load phase")
	duration := fs.Duration("duration", 10*time.Second, "bench: length of the load phase")
	soak := fs.Int("soak", 0, "bench: then this many requests through the isolate entry's one instance, watching workerd's memory and the answers (e.g. 10000)")
	soakWarmup := fs.Int("soak-warmup", 30000, "bench: requests before the -soak ones, for workerd's memory to level off")
	jsonOut := fs.String("json", "", "bench: also write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	if *bench {
		return runWorkerBench(root, stdout, stderr, *benchEntries, workerd.BenchConfig{
			Root: root, Warmup: *warmup, Sequential: *requests, Concurrency: *concurrency,
			Duration: *duration, Soak: *soak, SoakWarmup: *soakWarmup, Log: stderr,
		}, *jsonOut)
	}
	dir := filepath.Join(root, "worker", "build")
	fmt.Fprintln(stderr, "building the worker bundle…")
	b, err := workerd.Build(root, dir, workerd.Options{Entry: workerd.Entry(*entry), Kernel: workerd.Kernel(*kernel)})
	if err != nil {
		return err
	}
	raw, gz, err := b.Size()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bundle %s: %.2f MB, %.2f MB gzip\n", dir, float64(raw)/1e6, float64(gz)/1e6)
	if *buildOnly {
		return nil
	}
	cmd, err := b.Command(root, *addr)
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

// runWorkerBench measures the bundles named in entries with requests of
// real pen strokes (the held-out pen digits) and prints a table.
func runWorkerBench(root string, stdout, stderr io.Writer, entries string, cfg workerd.BenchConfig, jsonOut string) error {
	bundles, err := parseBenchEntries(entries)
	if err != nil {
		return err
	}
	if cfg.Sequential < 1 || cfg.Concurrency < 1 || cfg.Duration <= 0 || cfg.Warmup < 0 {
		return errors.New("-requests, -concurrency and -duration must be positive")
	}
	digits, err := data.LoadStrokeDigits(filepath.Join(root, "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		return err
	}
	for _, d := range digits {
		body, err := json.Marshal(map[string]any{"strokes": d.Strokes})
		if err != nil {
			return err
		}
		cfg.Requests = append(cfg.Requests, workerd.BenchRequest{ContentType: "application/json", Body: body})
	}
	results, err := workerd.Bench(cfg, bundles)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nworker bench: POST /predict of pen strokes (%d different drawings) under workerd; %d warm-up requests, %d sequential, then %d clients for %v\n\n",
		len(cfg.Requests), cfg.Warmup, cfg.Sequential, cfg.Concurrency, cfg.Duration)
	fmt.Fprintln(stdout, "| entry | kernel | CPU ms/request | median ms | p99 ms | first request ms (launch → answer) | requests/s at c16 | p99 ms at c16 | bundle MB | bundle MB gzip | errors |")
	fmt.Fprintln(stdout, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		fmt.Fprintf(stdout, "| %s | %s | %.2f | %.2f | %.2f | %.0f (%.0f) | %.0f | %.1f | %.2f | %.2f | %d |\n",
			r.Options.Label(), r.Kernel, r.CPUPerRequestMs, r.MedianMs, r.P99Ms, r.FirstRequestMs, r.StartToFirstMs,
			r.LoadPerSecond, r.LoadP99Ms, float64(r.BundleRaw)/1e6, float64(r.BundleGzip)/1e6, r.Errors)
	}
	if a := results[0]; len(results) > 1 {
		fmt.Fprintln(stdout)
		for _, b := range results[1:] {
			if b.CPUPerRequestMs > 0 && b.LoadPerSecond > 0 && a.CPUPerRequestMs > 0 {
				fmt.Fprintf(stdout, "%s over %s: %.1f× less CPU per request, %.1f× the throughput at concurrency %d\n",
					a.Options.Label(), b.Options.Label(), b.CPUPerRequestMs/a.CPUPerRequestMs, a.LoadPerSecond/b.LoadPerSecond, cfg.Concurrency)
			}
		}
	}
	for _, r := range results {
		if s := r.Soak; s != nil {
			fmt.Fprintf(stdout, "\n%d requests through one instance after %d: %d errors, %d answers changed, workerd RSS %.1f MB before them, %.1f MB after (%+.1f %%), peak %.1f MB; %.2f ms CPU per request\n",
				s.Requests, s.Warmup, s.Errors, s.Changed, float64(s.RSSAfterWarmKiB)/1024, float64(s.RSSEndKiB)/1024, s.GrowthPercent, float64(s.RSSPeakKiB)/1024, s.CPUPerRequestMs)
		}
	}
	fmt.Fprintln(stdout, "\nCPU is workerd's own (user + system, all threads, from /proc, 10 ms ticks); the machine may be shared, so compare the rows of one run.")
	if jsonOut != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// parseBenchEntries reads -bench-entries: bundles separated by commas, each
// entry[:kernel][@git-revision].
func parseBenchEntries(s string) ([]workerd.Options, error) {
	var bundles []workerd.Options
	for _, e := range strings.Split(s, ",") {
		spec, rev, hasRev := strings.Cut(strings.TrimSpace(e), "@")
		name, kernel, _ := strings.Cut(spec, ":")
		opt := workerd.Options{Entry: workerd.Entry(name), Kernel: workerd.Kernel(kernel), Rev: rev}
		switch {
		case opt.Entry != workerd.EntryIsolate && opt.Entry != workerd.EntryRequest:
			return nil, fmt.Errorf("-bench-entries: %q: the entry is isolate or request", e)
		case kernel != "" && opt.Kernel != workerd.KernelRelaxed && opt.Kernel != workerd.KernelSIMD && opt.Kernel != workerd.KernelGo:
			return nil, fmt.Errorf("-bench-entries: %q: the kernel is relaxed, simd or go", e)
		case hasRev && rev == "":
			return nil, fmt.Errorf("-bench-entries: %q: no git revision after @", e)
		}
		bundles = append(bundles, opt)
	}
	return bundles, nil
}
