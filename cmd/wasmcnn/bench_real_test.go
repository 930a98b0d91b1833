package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgreement checks the agreement rule: float outputs within 1e-4 of
// the reference's largest magnitude, int8 outputs equal, and never an
// agreement on a length mismatch or a value that is not finite.
func TestAgreement(t *testing.T) {
	ref := []float64{10, -20, 5, 0}
	near := []float64{10.001, -20, 5, 0}  // 1e-3 off: 5e-5 of 20
	far := []float64{10, -20.003, 5, 0.0} // 3e-3 off: 1.5e-4 of 20
	for _, c := range []struct {
		name      string
		got       []float64
		int8      bool
		agree     bool
		differing int
		relative  float64
	}{
		{"equal float", ref, false, true, 0, 0},
		{"within the bound", near, false, true, 1, 0.001 / 20},
		{"past the bound", far, false, false, 1, 0.003 / 20},
		{"equal int8", ref, true, true, 0, 0},
		{"int8 off by a little", near, true, false, 1, 0.001 / 20},
		{"NaN", []float64{math.NaN(), -20, 5, 0}, false, false, 1, -1},
		{"too short", ref[:3], false, false, 0, -1},
	} {
		a := agreement(c.got, ref, c.int8)
		if a.Agree != c.agree || a.Differing != c.differing || math.Abs(a.Relative-c.relative) > 1e-12 || (c.relative < 0) != (a.Note != "") {
			t.Errorf("%s: got %+v, want agree %v, %d differing, relative %g", c.name, a, c.agree, c.differing, c.relative)
		}
	}
	if a := agreement([]float64{0, 1e-9}, []float64{0, 0}, false); a.Agree || a.Relative != -1 || a.Note == "" {
		t.Errorf("a difference from an all-zero reference agreed: %+v", a)
	}
	if a := agreement(nil, nil, false); a.Agree {
		t.Errorf("no outputs agreed: %+v", a)
	}
	// Whatever the outputs, the agreement is written to the JSON file.
	for _, got := range [][]float64{{math.NaN(), 0, 0, 0}, {math.Inf(1), 0, 0, 0}, nil} {
		if _, err := json.Marshal(agreement(got, ref, false)); err != nil {
			t.Errorf("%v: %v", got, err)
		}
	}
}

// realFixture is a made-up measurement: ResNet-50 where wasmcnn agrees and
// is slower than ONNX Runtime Web, and an int8 model where it differs.
func realFixture() []realResult {
	agree := &realAgreement{Relative: 1e-5, Values: 1000, Rule: "relative ≤ 1e-04", Agree: true}
	differ := &realAgreement{MaxAbsDiff: 0.05, MaxAbsRef: 10, Relative: 0.005, Differing: 2, Values: 1000, Rule: "exact"}
	timings := func(w, o1, o2 float64, wa, oa *realAgreement) []realTiming {
		return []realTiming{
			{Peer: realPeer{"wasmcnn", 1}, MedianMs: w, Agreement: wa},
			{Peer: realPeer{"ort", 1}, MedianMs: o1},
			{Peer: realPeer{"ort", 2}, MedianMs: o2, Agreement: oa},
		}
	}
	out := []realResult{
		{Model: "resnet50", Label: "ResNet-50", Batches: []realBatch{
			{Batch: 1, Runs: 3, Timings: timings(900, 450, 300, agree, agree)},
			// ONNX Runtime Web's two-thread run differs: its time is no best.
			{Batch: 8, Runs: 3, Timings: timings(6000, 4000, 1000, agree, &realAgreement{Relative: 1, Rule: "relative ≤ 1e-04"})},
		}},
		{Model: "mobilenetv2-qdq", Label: "MobileNetV2 int8 (QDQ)", Int8: true, Batches: []realBatch{
			{Batch: 1, Runs: 13, Timings: timings(20, 40, 25, differ, agree)},
		}},
	}
	for i := range out {
		for j := range out[i].Batches {
			out[i].Batches[j].ratios()
		}
	}
	return out
}

// TestRealRatios checks wasmcnn's ratios to ONNX Runtime Web on one thread
// and to its best agreeing run, and that a disagreeing run gets none.
func TestRealRatios(t *testing.T) {
	rs := realFixture()
	b1, b8, q := rs[0].Batches[0], rs[0].Batches[1], rs[1].Batches[0]
	if b1.VsORT1 == nil || *b1.VsORT1 != 2 || *b1.VsBest != 3 || !b1.Agrees {
		t.Errorf("ResNet-50 batch 1: %+v", b1)
	}
	if b8.VsBest == nil || *b8.VsBest != 1.5 {
		t.Errorf("ResNet-50 batch 8: best %v, want 6000/4000 (the two-thread run disagrees)", b8.VsBest)
	}
	if q.VsORT1 != nil || q.VsBest != nil || q.Agrees {
		t.Errorf("the int8 model differs but has ratios: %+v", q)
	}
	// Without ONNX Runtime Web on one thread there is nothing to divide by.
	b := realBatch{Timings: []realTiming{{Peer: realPeer{"wasmcnn", 1}, MedianMs: 5, Agreement: &realAgreement{Agree: true}}}}
	b.ratios()
	if b.VsORT1 != nil {
		t.Errorf("a ratio without the reference: %v", *b.VsORT1)
	}
}

// TestRealTable checks the generated tables: medians, ratios, the
// agreement, and no ratio where the outputs differ.
func TestRealTable(t *testing.T) {
	rs := realFixture()
	var full, short bytes.Buffer
	realTable(&full, rs)
	realShortTable(&short, rs)
	for _, want := range []string{
		"| ResNet-50 | 1 | 900 | 450 | 300 | **2.00×** | 3.00× | agree (1.0e-05) | 3 |",
		"| ResNet-50 | 8 | 6000 | 4000 | 1000 | **1.50×** | 1.50× | agree (1.0e-05) | 3 |",
		"| MobileNetV2 int8 (QDQ) | 1 | 20.0 | 40.0 | 25.0 | no ratio: outputs differ | no ratio | **differ**: 2 of 1000 values, by up to 5.0e-03 of the largest | 13 |",
	} {
		if !strings.Contains(full.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, full.String())
		}
	}
	for _, want := range []string{"| ResNet-50 | 900 | 450 / 300 | 2.00× | 3.00× |", "| MobileNetV2 int8 (QDQ) | 20.0 | 40.0 / 25.0 | outputs differ | — |"} {
		if !strings.Contains(short.String(), want) {
			t.Errorf("short table lacks %q:\n%s", want, short.String())
		}
	}
	if strings.Contains(short.String(), "| 8 |") || strings.Count(short.String(), "\n") != 4 {
		t.Errorf("the short table has more than batch 1:\n%s", short.String())
	}
}

// TestRealRuns checks the number of runs: odd, 3 to 21, fewer for big
// models and batches, and the override.
func TestRealRuns(t *testing.T) {
	for _, c := range []struct {
		macs                  int64
		batch, override, want int
	}{
		{4_089_184_256, 1, 0, 3}, // ResNet-50: 0.98 runs' worth, at least 3
		{4_089_184_256, 8, 0, 3},
		{300_774_272, 1, 0, 13}, // MobileNetV2: 13.3
		{300_774_272, 8, 0, 3},  // 1.7
		{56_510_400, 1, 0, 21},  // MobileNetV3-small: 71, capped
		{56_510_400, 8, 0, 9},   // 8.8
		{349_151_936, 1, 0, 11}, // SqueezeNet 1.1: 11.5 → 11
		{500_000_000, 1, 0, 9},  // 8 → the next odd count
		{1, 1, 4, 4},            // the override as given
	} {
		if got := realRuns(c.macs, c.batch, c.override); got != c.want {
			t.Errorf("realRuns(%d, %d, %d) = %d, want %d", c.macs, c.batch, c.override, got, c.want)
		}
	}
}

// TestParseRealModels checks -models: table order, all, none, and an
// unknown name refused with the list.
func TestParseRealModels(t *testing.T) {
	got, err := parseRealModels("mobilenetv2-qdq,resnet50")
	if err != nil || len(got) != 2 || got[0].Name != "resnet50" || got[1].Name != "mobilenetv2-qdq" {
		t.Errorf("got %v, %v", got, err)
	}
	if all, err := parseRealModels("all"); err != nil || len(all) != 6 {
		t.Errorf("all: %d models, %v", len(all), err)
	}
	if none, err := parseRealModels("none"); err != nil || len(none) != 0 {
		t.Errorf("none: %v, %v", none, err)
	}
	if _, err := parseRealModels("resnet50,vgg16"); err == nil || !strings.Contains(err.Error(), "vgg16") || !strings.Contains(err.Error(), "shufflenetv2") {
		t.Errorf("unknown model: %v", err)
	}
}

// TestMemoryRatio checks the memory ratio: at batch 1 against the
// browser's m.info, at batch 8 against the native plan, and its line.
func TestMemoryRatio(t *testing.T) {
	m := realMemory{Model: "ResNet-50", Batch: 1, MemoryBytes: 300 << 20, WeightsBytes: 100 << 20, NativeBytes: 40 << 20, InfoActivations: 5 << 20}
	m.settle()
	if m.Ratio != 2.5 || m.ActivationBytes != 20<<20 {
		t.Errorf("batch 1: ratio %v, activations %d, want 2.5 and m.info's 20 MiB", m.Ratio, m.ActivationBytes)
	}
	if got := memoryLine(m); !strings.Contains(got, "300 MiB after the runs; weights 100.0 MiB + peak activations 20.0 MiB (m.info) = 120.0 MiB; ratio **2.50×**") {
		t.Errorf("line %q", got)
	}
	m.Batch = 8
	m.settle()
	if m.Ratio != 300.0/140 || !strings.Contains(memoryLine(m), "40.0 MiB (planned natively)") {
		t.Errorf("batch 8: ratio %v, line %q", m.Ratio, memoryLine(m))
	}
	// A file written before NativeBytes held the native figure in ActivationBytes.
	old := realMemory{Batch: 8, MemoryBytes: 90, WeightsBytes: 20, ActivationBytes: 10}
	old.settle()
	if old.Ratio != 3 {
		t.Errorf("old file: ratio %v", old.Ratio)
	}
	zero := realMemory{MemoryBytes: 5}
	zero.settle()
	if zero.Ratio != 0 {
		t.Errorf("nothing needed, ratio %v", zero.Ratio)
	}
}

// TestReplaceGenerated checks that the table goes between the markers,
// again and again, and nowhere without them.
func TestReplaceGenerated(t *testing.T) {
	doc := "# Bench\n\ntext\n" + realBegin + "\nold table\n" + realEnd + "\nafter\n"
	once, err := replaceGenerated(doc, "| new |\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Bench\n\ntext\n" + realBegin + "\n| new |\n" + realEnd + "\nafter\n"
	if once != want {
		t.Errorf("got %q, want %q", once, want)
	}
	if twice, _ := replaceGenerated(once, "| new |\n"); twice != once {
		t.Errorf("a second run changed the document: %q", twice)
	}
	for _, bad := range []string{"no markers", realEnd + "\n" + realBegin, realBegin + " only"} {
		if _, err := replaceGenerated(bad, "x"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	path := filepath.Join(t.TempDir(), "bench.md")
	os.WriteFile(path, []byte(doc), 0o644)
	if err := writeGenerated(path, "| file |\n"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), realBegin+"\n| file |\n"+realEnd) {
		t.Errorf("file: %q", b)
	}
}

// TestRealDocs checks that the docs carry the table, the memory and the
// versions, and that the repository's docs hold the markers.
func TestRealDocs(t *testing.T) {
	m := &realMeasurement{Results: realFixture(), Settings: map[string]any{"ONNX Runtime Web, 1 thread": map[string]any{"version": "1.30.0", "workersStarted": 0.0, "crossOriginIsolated": true},
		"ONNX Runtime Web, 2 threads": map[string]any{"version": "1.30.0", "workersStarted": 1.0, "crossOriginIsolated": true}},
		Memory: []realMemory{{Model: "ResNet-50", Batch: 1, MemoryBytes: 300 << 20, WeightsBytes: 100 << 20, ActivationBytes: 20 << 20, Ratio: 2.5}}}
	m.Memory = append(m.Memory, realMemory{Model: "MobileNetV2 int8 (QDQ)", Batch: 1, MemoryBytes: 70 << 20, WeightsBytes: 1 << 20, Ratio: 5})
	full := realDocs(m, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", true)
	if strings.Contains(full, "| MobileNetV2 int8 (QDQ) | 1 | 70.0") {
		t.Errorf("the int8 model's memory is in the table, against its float parameters only:\n%s", full)
	}
	for _, want := range []string{"| ResNet-50 | 1 |", "| ResNet-50 | 1 | 300.0 | 100.0 | 20.0 (native plan) | **2.50×** |", "HeadlessChrome 156.0.0.0; ONNX Runtime Web 1.30.0: numThreads 1 started 0 Web Workers (crossOriginIsolated true); numThreads 2 started 1 Web Worker (crossOriginIsolated true)."} {
		if !strings.Contains(full, want) {
			t.Errorf("docs lack %q:\n%s", want, full)
		}
	}
	for _, f := range []string{"../../docs/bench.md", "../../README.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := replaceGenerated(string(b), "x"); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestDrawReal draws the ratios of the made-up measurement as a PNG.
func TestDrawReal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "real.png")
	if err := drawReal(path, realFixture()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10000 {
		t.Fatalf("chart: %d bytes, %v", len(b), err)
	}
	if err := drawReal(path, nil); err == nil {
		t.Error("an empty chart drew")
	}
}
