package main

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestBenchRatios checks the ratios against the peers on a made-up table:
// latency and first prediction against the best peer, throughput of one
// runtime against one-thread peers and of two workers against all.
func TestBenchRatios(t *testing.T) {
	rows := []benchRow{
		{Net: "S", Runtime: "wasmcnn", Label: "wasmcnn, 1 thread", B1MedianMs: 0.2, B64ImgPerSec: 8000, FirstMs: 300, FirstNetMs: 900, RuntimeKiBGz: 1000, RuntimeKiBBr: 700, ModelKiBGz: 20, ModelKiBBr: 18,
			Profile: []benchStep{{"conv1", "Conv", 0.1}, {"fc", "Gemm", 0.05}}},
		{Net: "S", Runtime: "wasmcnn", Label: "wasmcnn, 2 workers", B1MedianMs: 0.3, B64ImgPerSec: 15000, FirstMs: 400, RuntimeKiBGz: 1000},
		{Net: "S", Runtime: "tfjs", Label: "TensorFlow.js, 1 thread", B1MedianMs: 0.4, B64ImgPerSec: 4000, FirstMs: 350, FirstNetMs: 1000, RuntimeKiBGz: 250, ModelKiBGz: 21},
		{Net: "S", Runtime: "tfjs", Label: "TensorFlow.js, 2 threads (page reports 4 cores)", B1MedianMs: 0.3, B64ImgPerSec: 12000, FirstMs: 360, FirstNetMs: 720, RuntimeKiBGz: 250, ModelKiBGz: 21},
		{Net: "S", Runtime: "ort", Label: "ONNX Runtime Web, 1 thread", B1MedianMs: 0.25, B64ImgPerSec: 5000, FirstMs: 500, FirstNetMs: -1, RuntimeKiBGz: 3600},
		{Net: "S", Runtime: "ort", Label: "ONNX Runtime Web, 2 threads", B1MedianMs: 0.1, B64ImgPerSec: 10000, FirstMs: 600, RuntimeKiBGz: 3600},
	}
	got := benchRatios(rows)
	if len(got) != 1 {
		t.Fatalf("got %d networks", len(got))
	}
	r := got[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"latency", r.Latency, 0.2 / 0.1},
		{"throughput, 1 thread", r.Throughput1, 8000.0 / 5000},
		{"throughput, 2 workers", r.Throughput2, 15000.0 / 12000},
		{"first prediction", r.First, 300.0 / 350},
		{"first visit", r.FirstNet, 900.0 / 720},
		{"download", r.SizeVsTFJS, 1020.0 / 271},
		{"runtime download", r.RuntimeVsTFJS, 1000.0 / 250},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s ratio %v, want %v", c.name, c.got, c.want)
		}
	}
	var buf bytes.Buffer
	printBench(&buf, rows, "test browser", benchNetwork{Mbps: 10, RTTMs: 40})
	for _, want := range []string{"| S | wasmcnn, 2 workers |", "batch-1 latency 2.00×", "1.60× (1 thread vs 1 thread)", "1.25× (2 workers vs any)", "download (runtime + model) 3.76× TensorFlow.js's (runtime alone 4.00×)",
		"first visit: over 10 Mbit/s down, 40 ms round trip, cold cache", "| 300 | 900 | 1000 / 700 | 20 / 18 |", "| 500 | n/a |", "(first visit over the network 1.25×)",
		"S, wasmcnn, 1 thread, batch 1, ms per node (0.150 in all): conv1 0.100, fc 0.050"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestDrawBench draws the chart of a made-up table and checks it is a PNG.
func TestDrawBench(t *testing.T) {
	rows := []benchRow{
		{Net: "S", Runtime: "wasmcnn", Label: "wasmcnn, 1 thread", B1MedianMs: 0.2, B64ImgPerSec: 8000},
		{Net: "S", Runtime: "tfjs", Label: "TensorFlow.js, 1 thread", B1MedianMs: 0.4, B64ImgPerSec: 4000},
		{Net: "M", Runtime: "wasmcnn", Label: "wasmcnn, 1 thread", B1MedianMs: 1.2, B64ImgPerSec: 900},
		{Net: "M", Runtime: "tfjs", Label: "TensorFlow.js, 1 thread", B1MedianMs: 2.1, B64ImgPerSec: 650},
	}
	path := filepath.Join(t.TempDir(), "bench.png")
	if err := drawBench(path, rows); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10000 {
		t.Fatalf("chart: %d bytes, %v", len(b), err)
	}
}

// TestBenchConfigs checks that -runtimes picks configurations in table
// order and refuses unknown names.
func TestBenchConfigs(t *testing.T) {
	got, err := benchConfigs("ort,wasmcnn")
	if err != nil {
		t.Fatal(err)
	}
	want := []benchConfig{{"wasmcnn", 1, 0}, {"wasmcnn", 2, 0}, {"ort", 1, 0}, {"ort", 2, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	// TensorFlow.js runs on two threads on a page that reports four cores.
	tf, err := benchConfigs("tfjs")
	if err != nil || len(tf) != 2 || tf[1] != (benchConfig{"tfjs", 2, 4}) || tf[1].label() != "TensorFlow.js, 2 threads (page reports 4 cores)" ||
		tf[1].url("http://h/", "M", true) != "http://h/bench.html?runtime=tfjs&net=M&threads=2&cores=4&first=1" {
		t.Errorf("tfjs configurations %v, %v", tf, err)
	}
	if _, err := benchConfigs("wasmcnn,tensorflow"); err == nil || !strings.Contains(err.Error(), "tensorflow") {
		t.Errorf("unknown runtime: got %v", err)
	}
}

// TestBenchRatiosWithoutPeers checks that a run of wasmcnn alone gives no
// ratios rather than infinities.
func TestBenchRatiosWithoutPeers(t *testing.T) {
	rows := []benchRow{{Net: "S", Runtime: "wasmcnn", Label: "wasmcnn, 1 thread", B1MedianMs: 0.2, FirstMs: 300}}
	if got := benchRatios(rows); len(got) != 0 {
		t.Errorf("got %+v, want no ratios", got)
	}
}

// TestMedianProfile checks that each node gets its median time over the
// rounds, and that a round with other nodes is left out.
func TestMedianProfile(t *testing.T) {
	step := func(a, b float64) []benchStep { return []benchStep{{"conv", "Conv", a}, {"fc", "Gemm", b}} }
	rs := []benchResult{{Profile: step(3, 30)}, {Profile: step(1, 10)}, {Profile: step(2, 20)}, {Profile: []benchStep{{"x", "Relu", 99}}}}
	got := medianProfile(rs)
	if len(got) != 2 || got[0].Ms != 2 || got[1].Ms != 20 || got[0].Name != "conv" {
		t.Errorf("got %+v", got)
	}
	if medianProfile([]benchResult{{}}) != nil {
		t.Error("a runtime without profiles got one")
	}
}

// TestUncounted checks the check that a runtime's size counts every file
// its page fetched.
func TestUncounted(t *testing.T) {
	got := uncounted([]string{"a.js", "b.wasm", "c.js"}, []string{"a.js", "c.js"})
	if len(got) != 1 || got[0] != "b.wasm" {
		t.Errorf("got %v, want [b.wasm]", got)
	}
	if got := uncounted([]string{"a.js"}, []string{"a.js", "x.wasm"}); len(got) != 0 {
		t.Errorf("got %v, want none", got)
	}
}

// TestBenchFiles checks the sizes of a runtime's files and the first-visit
// server: brotli to clients that accept it, the file as it is otherwise.
func TestBenchFiles(t *testing.T) {
	dir := t.TempDir()
	body := bytes.Repeat([]byte("wasmcnn bench file "), 500)
	os.MkdirAll(filepath.Join(dir, "site", "lib"), 0o755)
	os.WriteFile(filepath.Join(dir, "site", "lib", "x.wasm"), body, 0o644)
	files := &benchFiles{siteDir: filepath.Join(dir, "site"), root: dir, cacheDir: filepath.Join(dir, "cache")}
	if err := files.prepare([]string{"lib/x.wasm"}); err != nil {
		t.Fatal(err)
	}
	gz, br := files.kib([]string{"lib/x.wasm"})
	if gz <= 0 || br <= 0 || br*1024 >= float64(len(body))/10 {
		t.Errorf("sizes %v KiB gzip, %v KiB brotli of %d bytes", gz, br, len(body))
	}
	if gz, br := files.kib([]string{"lib/x.wasm", "missing.js"}); gz != -1 || br != -1 {
		t.Errorf("with a missing file: %v, %v", gz, br)
	}
	if cached, _ := filepath.Glob(filepath.Join(dir, "cache", "*.br")); len(cached) != 1 {
		t.Errorf("cache holds %v", cached)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain")) })
	h := files.firstVisitHandler(next)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/lib/x.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	h.ServeHTTP(rec, req)
	got, err := io.ReadAll(brotli.NewReader(rec.Body))
	if err != nil || !bytes.Equal(got, body) || rec.Header().Get("Content-Encoding") != "br" || rec.Header().Get("Content-Type") != "application/wasm" {
		t.Errorf("brotli response: %v, %d bytes, headers %v", err, len(got), rec.Header())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/lib/x.wasm", nil))
	if rec.Body.String() != "plain" {
		t.Errorf("without brotli: %q", rec.Body.String())
	}
}
