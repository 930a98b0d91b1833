package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"wasmcnn/core/nn"
	"wasmcnn/internal/browser"
	"wasmcnn/internal/site"
)

// benchConfig is one runtime in one configuration.
type benchConfig struct {
	Runtime string `json:"runtime"`
	Threads int    `json:"threads"`
	// Cores is the navigator.hardwareConcurrency the page reports (0: the
	// machine's). TensorFlow.js's pool takes half of it, so its two-thread
	// run on a two-core machine needs the page to report four.
	Cores int `json:"cores,omitempty"`
}

func (c benchConfig) label() string {
	name := map[string]string{"wasmcnn": "wasmcnn", "tfjs": "TensorFlow.js", "ort": "ONNX Runtime Web"}[c.Runtime]
	unit := "thread"
	if c.Runtime == "wasmcnn" && c.Threads > 1 {
		unit = "worker" // one Go runtime per Web Worker, the batch split among them
	}
	s := fmt.Sprintf("%s, %d %s%s", name, c.Threads, unit, map[bool]string{true: "s"}[c.Threads > 1])
	if c.Cores > 0 {
		s += fmt.Sprintf(" (page reports %d cores)", c.Cores)
	}
	return s
}

// url is the bench page running this configuration on a network.
func (c benchConfig) url(base, net string, firstOnly bool) string {
	u := fmt.Sprintf("%sbench.html?runtime=%s&net=%s&threads=%d", base, c.Runtime, net, c.Threads)
	if c.Cores > 0 {
		u += fmt.Sprintf("&cores=%d", c.Cores)
	}
	if firstOnly {
		u += "&first=1"
	}
	return u
}

// benchResult is what bench.js reports for one run.
type benchResult struct {
	Runtime      string      `json:"runtime"`
	Net          string      `json:"net"`
	Threads      int         `json:"threads"`
	Detail       string      `json:"detail"`
	Settings     any         `json:"settings"`
	FirstMs      float64     `json:"firstMs"`
	B1Median     float64     `json:"b1Median"`
	B1P90        float64     `json:"b1P90"`
	B64ImgPerSec float64     `json:"b64ImgPerSec"`
	Probs        []float64   `json:"probs"`
	Profile      []benchStep `json:"profile"`
	Files        []string    `json:"files"`
	Error        string      `json:"error"`
}

// benchStep is one node's share of a batch-1 prediction.
type benchStep struct {
	Name string  `json:"name"`
	Op   string  `json:"op"`
	Ms   float64 `json:"ms"`
}

// benchRow is the table row of one network and runtime: medians over rounds.
type benchRow struct {
	Net     string `json:"net"`
	Runtime string `json:"runtime"`
	Label   string `json:"label"`
	Detail  string `json:"detail"`
	// Settings are the runtime's own settings, as the page read them back.
	Settings     any     `json:"settings,omitempty"`
	B1MedianMs   float64 `json:"b1_median_ms"`
	B1P90Ms      float64 `json:"b1_p90_ms"`
	B64ImgPerSec float64 `json:"b64_img_per_s"`
	B64GFLOPs    float64 `json:"b64_gflop_per_s"`
	FirstMs      float64 `json:"first_prediction_ms"`
	// FirstNetMs is the first prediction of a first visit under the
	// network emulation (every file brotli-compressed, cold cache); −1:
	// not measured.
	FirstNetMs   float64 `json:"first_prediction_network_ms"`
	RuntimeKiBGz float64 `json:"runtime_kib_gz"`
	RuntimeKiBBr float64 `json:"runtime_kib_br"`
	ModelKiBGz   float64 `json:"model_kib_gz"`
	ModelKiBBr   float64 `json:"model_kib_br"`
	MaxDiff      float64 `json:"max_abs_diff_vs_wasmcnn"` // −1: wasmcnn did not run
	Rounds       int     `json:"rounds"`
	// Profile is where a batch-1 prediction's time went, node by node
	// (medians over the rounds), where the runtime can say.
	Profile []benchStep `json:"batch1_profile,omitempty"`
}

// vendorDirs are the peers' files in node_modules, served under /vendor/.
var vendorDirs = map[string]string{
	"tfjs-core":         "node_modules/@tensorflow/tfjs-core/dist",
	"tfjs-backend-wasm": "node_modules/@tensorflow/tfjs-backend-wasm/dist",
	"ort":               "node_modules/onnxruntime-web/dist",
}

// runtimeFiles are the files each runtime downloads.
var runtimeFiles = map[string][]string{
	"wasmcnn": {"wasm_exec.js", "wasmcnn.js", "wasmcnn.mjs", "wasmcnn-runtime.mjs", "lib/wasmcnn.wasm"},
	// On a cross-origin isolated page TensorFlow.js loads its threaded build
	// (it still runs one thread on two cores).
	"tfjs": {"vendor/tfjs-core/tf-core.min.js", "vendor/tfjs-backend-wasm/tf-backend-wasm.min.js", "vendor/tfjs-backend-wasm/tfjs-backend-wasm-threaded-simd.wasm"},
	"ort":  {"vendor/ort/ort.wasm.min.js", "vendor/ort/ort-wasm-simd-threaded.mjs", "vendor/ort/ort-wasm-simd-threaded.wasm"},
}

// benchConfigs returns the configurations of the named runtimes, in the
// order the table shows them.
func benchConfigs(names string) ([]benchConfig, error) {
	all := []benchConfig{{"wasmcnn", 1, 0}, {"wasmcnn", 2, 0}, {"tfjs", 1, 0}, {"tfjs", 2, 4}, {"ort", 1, 0}, {"ort", 2, 0}}
	want := map[string]bool{}
	for _, n := range strings.Split(names, ",") {
		if _, ok := runtimeFiles[n]; !ok {
			return nil, fmt.Errorf("-runtimes: unknown runtime %q (want some of wasmcnn, tfjs, ort)", n)
		}
		want[n] = true
	}
	var out []benchConfig
	for _, c := range all {
		if want[c.Runtime] {
			out = append(out, c)
		}
	}
	return out, nil
}

// modelFiles are the files of network net in runtime's format: ONNX, or
// TensorFlow.js's manifest and raw weights.
func modelFiles(runtime, net string) []string {
	if runtime == "tfjs" {
		return []string{"bench/" + net + ".json", "bench/" + net + ".bin"}
	}
	return []string{"bench/" + net + ".onnx"}
}

// uncounted returns the fetched files that counted leaves out.
func uncounted(fetched, counted []string) []string {
	var out []string
	for _, f := range fetched {
		if !slices.Contains(counted, f) {
			out = append(out, f)
		}
	}
	return out
}

// runBench runs the reference networks in wasmcnn and the peers in headless
// Chromium and prints the comparison.
func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", 5, "rounds; each runs every runtime once, interleaved")
	nets := fs.String("nets", "S,M", "networks to run")
	only := fs.String("runtimes", "wasmcnn,tfjs,ort", "runtimes to run (the ratios need wasmcnn and at least one peer)")
	jsonOut := fs.String("json", "", "also write the table as JSON to `file`")
	chart := fs.String("chart", "dist/bench/bench.png", "draw the comparison into this PNG `file` (empty: none)")
	mbps := fs.Float64("net-mbps", 10, "first visits under network emulation: download `Mbit/s` (0: no first-visit runs)")
	rtt := fs.Float64("net-rtt", 40, "first visits under network emulation: round trip `ms`")
	replot := fs.String("replot", "", "run nothing: print the table and draw the chart of an earlier -json `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *replot != "" {
		return replotBench(*replot, *chart, stdout)
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	for _, d := range vendorDirs {
		if _, err := os.Stat(filepath.Join(root, d)); err != nil {
			return fmt.Errorf("%s is missing: install the bench's peers with npm ci (./build.sh bench does)", d)
		}
	}
	dir, err := os.MkdirTemp("", "wasmcnn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintln(stderr, "building the site…")
	if err := site.Build(root, dir); err != nil {
		return err
	}
	if err := site.CopyBenchPage(root, dir); err != nil {
		return err
	}
	netsByName := map[string]*nn.Net{"S": nn.ReferenceNetS(1), "M": nn.ReferenceNetM(1)}
	if err := writeBenchModels(filepath.Join(dir, "bench"), netsByName); err != nil {
		return err
	}

	configs, err := benchConfigs(*only)
	if err != nil {
		return err
	}
	netNames := strings.Split(*nets, ",")
	files := &benchFiles{siteDir: dir, root: root, cacheDir: filepath.Join(root, "dist", "bench", "cache")}
	fmt.Fprintln(stderr, "compressing every runtime's files (brotli -q 11, cached in dist/bench/cache)…")
	if err := files.prepare(benchPageFiles(configs, netNames)); err != nil {
		return err
	}

	mux := http.NewServeMux()
	for name, d := range vendorDirs {
		mux.Handle("/vendor/"+name+"/", http.StripPrefix("/vendor/"+name+"/", http.FileServer(http.Dir(filepath.Join(root, d)))))
	}
	// For the speed runs every runtime's files are served as they are (the
	// peers' straight from node_modules): on a loopback link compression
	// only costs decoding time. The first visits get their own server,
	// which sends every file brotli-compressed.
	mux.Handle("/", site.Handler(dir, site.HandlerOptions{Isolated: true, Uncompressed: true}))
	isolated := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
			w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
			h.ServeHTTP(w, r)
		})
	}
	base, stop, err := serveBench(isolated(mux))
	if err != nil {
		return err
	}
	defer stop()
	firstBase, stopFirst, err := serveBench(isolated(files.firstVisitHandler(mux)))
	if err != nil {
		return err
	}
	defer stopFirst()
	emulated := benchNetwork{Mbps: *mbps, RTTMs: *rtt}

	ctx, cancel, err := browser.Launch(time.Duration(*rounds) * 20 * time.Minute)
	if err != nil {
		return err
	}
	defer cancel()
	var version string
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`)); err == nil {
		version = v
	}
	results := map[string][]benchResult{}
	firsts := map[string][]benchResult{}
	for round := 1; round <= *rounds; round++ {
		for _, n := range netNames {
			for _, c := range configs {
				res, err := benchOnce(ctx, c.url(base, n, false))
				if err != nil {
					return fmt.Errorf("%s on %s: %w", c.label(), n, err)
				}
				fmt.Fprintf(stderr, "round %d %s %-30s b1 %.3f ms, b64 %.0f img/s, first %.0f ms (%s)\n", round, n, c.label(), res.B1Median, res.B64ImgPerSec, res.FirstMs, res.Detail)
				key := n + "|" + c.label()
				if len(results[key]) == 0 && c.Threads == 1 {
					if missing := uncounted(res.Files, runtimeFiles[c.Runtime]); len(missing) > 0 {
						fmt.Fprintf(stderr, "note: %s fetched %s, which its size does not count\n", c.label(), strings.Join(missing, ", "))
					}
				}
				results[key] = append(results[key], res)
			}
			if emulated.Mbps <= 0 {
				continue
			}
			// First visits: every runtime in turn, in the same round.
			for _, c := range configs {
				res, err := benchFirstVisit(ctx, c.url(firstBase, n, true), emulated)
				if err != nil {
					return fmt.Errorf("%s on %s, first visit: %w", c.label(), n, err)
				}
				fmt.Fprintf(stderr, "round %d %s %-30s first visit over %s: first prediction %.0f ms\n", round, n, c.label(), emulated, res.FirstMs)
				key := n + "|" + c.label()
				firsts[key] = append(firsts[key], res)
			}
		}
	}
	var rows []benchRow
	for _, n := range netNames {
		macs := float64(netsByName[n].MACs())
		// Outputs are compared with wasmcnn's on one thread, when it ran.
		ref := results[n+"|"+benchConfig{"wasmcnn", 1, 0}.label()]
		for _, c := range configs {
			rs := results[n+"|"+c.label()]
			row := benchRow{Net: n, Runtime: c.Runtime, Label: c.label(), Detail: rs[0].Detail, Settings: rs[0].Settings, Rounds: len(rs)}
			row.B1MedianMs = median(rs, func(r benchResult) float64 { return r.B1Median })
			row.B1P90Ms = median(rs, func(r benchResult) float64 { return r.B1P90 })
			row.B64ImgPerSec = median(rs, func(r benchResult) float64 { return r.B64ImgPerSec })
			row.B64GFLOPs = 2 * macs * row.B64ImgPerSec / 1e9
			row.FirstMs = median(rs, func(r benchResult) float64 { return r.FirstMs })
			row.FirstNetMs = -1
			if fs := firsts[n+"|"+c.label()]; len(fs) > 0 {
				row.FirstNetMs = median(fs, func(r benchResult) float64 { return r.FirstMs })
			}
			row.RuntimeKiBGz, row.RuntimeKiBBr = files.kib(runtimeFiles[c.Runtime])
			row.ModelKiBGz, row.ModelKiBBr = files.kib(modelFiles(c.Runtime, n))
			row.Profile = medianProfile(rs)
			row.MaxDiff = -1 // not compared
			if len(ref) > 0 {
				row.MaxDiff = 0
				for i, p := range rs[0].Probs {
					if i < len(ref[0].Probs) {
						row.MaxDiff = math.Max(row.MaxDiff, math.Abs(p-ref[0].Probs[i]))
					}
				}
			}
			rows = append(rows, row)
		}
	}
	printBench(stdout, rows, version, emulated)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(map[string]any{"browser": version, "rounds": *rounds, "network": emulated, "rows": rows, "ratios": benchRatios(rows)}, "", "  ")
		if err != nil {
			return fmt.Errorf("bench: writing %s: %w", *jsonOut, err)
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if *chart != "" {
		if err := os.MkdirAll(filepath.Dir(*chart), 0o755); err != nil {
			return err
		}
		if err := drawBench(*chart, rows); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "chart: %s\n", *chart)
	}
	return nil
}

// benchOnce loads the bench page for one run and waits for its result.
func benchOnce(ctx context.Context, url string) (benchResult, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return benchResult{}, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__benchResult !== undefined`, chromedp.WithPollingTimeout(5*time.Minute))); err != nil {
		return benchResult{}, err
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[benchResult](`window.__benchResult`))
	if err != nil {
		return res, err
	}
	if res.Error != "" {
		return res, errors.New(res.Error)
	}
	return res, nil
}

// benchNetwork is the network Chromium emulates for the first visits.
type benchNetwork struct {
	Mbps  float64 `json:"download_mbit_per_s"`
	RTTMs float64 `json:"round_trip_ms"`
}

func (n benchNetwork) String() string {
	return fmt.Sprintf("%g Mbit/s down, %g ms round trip", n.Mbps, n.RTTMs)
}

// benchFirstVisit loads the bench page for a first prediction over the
// emulated network with the browser's cache off, then lifts both.
func benchFirstVisit(ctx context.Context, url string, n benchNetwork) (benchResult, error) {
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return benchResult{}, err
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return benchResult{}, err
	}
	// Chromium applies the latency once per request, as the time from
	// sending it to the response's headers: a round trip.
	cond := &network.Conditions{Latency: n.RTTMs, DownloadThroughput: n.Mbps * 1e6 / 8, UploadThroughput: -1}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{cond}}); err != nil {
		return benchResult{}, err
	}
	res, err := benchOnce(ctx, url)
	off := &network.Conditions{Latency: 0, DownloadThroughput: -1, UploadThroughput: -1}
	if _, e := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{off}}); e != nil && err == nil {
		err = e
	}
	if _, e := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: false}); e != nil && err == nil {
		err = e
	}
	return res, err
}

// serveBench serves h on a free port of 127.0.0.1 and returns its base URL.
func serveBench(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

// benchPageFiles are the files the bench pages of these configurations
// fetch: the page's own, each runtime's, each network's model.
func benchPageFiles(configs []benchConfig, nets []string) []string {
	out := []string{"bench.html", "bench.js", "style.css", "wasmcnn-worker.mjs"}
	seen := map[string]bool{}
	for _, c := range configs {
		for _, f := range runtimeFiles[c.Runtime] {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
		for _, n := range nets {
			for _, f := range modelFiles(c.Runtime, n) {
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// medianProfile returns each node's median time over the rounds that
// profiled the same nodes as the first, or nil.
func medianProfile(rs []benchResult) []benchStep {
	if len(rs) == 0 || len(rs[0].Profile) == 0 {
		return nil
	}
	out := append([]benchStep(nil), rs[0].Profile...)
	for i := range out {
		var ms []float64
		for _, r := range rs {
			if len(r.Profile) == len(out) && r.Profile[i].Name == out[i].Name {
				ms = append(ms, r.Profile[i].Ms)
			}
		}
		out[i].Ms = medianOf(ms)
	}
	return out
}

// median returns the median of f over the rounds rs.
func median(rs []benchResult, f func(benchResult) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return medianOf(v)
}

// medianOf returns the median of v (not empty), which it sorts.
func medianOf(v []float64) float64 {
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// replotBench prints and draws the results of an earlier run from its JSON.
func replotBench(path, chart string, stdout io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var saved struct {
		Browser string       `json:"browser"`
		Network benchNetwork `json:"network"`
		Rows    []benchRow   `json:"rows"`
	}
	if err := json.Unmarshal(b, &saved); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(saved.Rows) == 0 {
		return fmt.Errorf("%s: no rows", path)
	}
	printBench(stdout, saved.Rows, saved.Browser, saved.Network)
	if chart == "" {
		return nil
	}
	if err := drawBench(chart, saved.Rows); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "chart: %s\n", chart)
	return nil
}
