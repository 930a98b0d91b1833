package convbench

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"wasmcnn/core"
	"wasmcnn/internal/convshapes"
	"wasmcnn/internal/floattest"
)

var table = flag.Bool("table", false, "print the per-layer and per-network table after the benchmarks")

// results holds the fastest run, in ns, of each (network, layer, implementation).
var results = map[[3]string]float64{}

func TestMain(m *testing.M) {
	name, err := installKernel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "convbench:", err)
		os.Exit(1)
	}
	kernelName = name
	code := m.Run()
	if *table && len(results) > 0 {
		printTable()
	}
	os.Exit(code)
}

// kernelName is the installed panel kernel ("" natively).
var kernelName string

// layer is one row of the table, set up with random data.
type layer struct {
	convshapes.Layer
	g         core.ConvGeom
	w, b      []float32
	x, y, res []float32
}

func newLayer(l convshapes.Layer, r *rand.Rand) (*layer, error) {
	g, err := core.NewConvGeom([]int{1, l.C, l.H, l.W}, []int{l.K, l.C / l.Group, l.KH, l.KW},
		core.Window{StrideH: l.Stride, StrideW: l.Stride, PadTop: l.Pad, PadLeft: l.Pad, PadBottom: l.Pad, PadRight: l.Pad}, l.Group)
	if err != nil {
		return nil, err
	}
	out := core.Product(g.OutShape())
	t := &layer{Layer: l, g: g,
		w: floattest.RandSlice(r, core.Product(g.WeightShape())), b: floattest.RandSlice(r, l.K),
		x: floattest.RandSlice(r, core.Product(g.InShape())), y: make([]float32, out)}
	if l.Residual {
		t.res = floattest.RandSlice(r, out)
	}
	return t, nil
}

// impl plans a layer one way and returns the run of one image.
type impl struct {
	name string
	plan func(k *core.PanelKernel, l *layer) (func(), error)
}

var impls = []impl{{"today", planToday}, {"plan", planFused}, {"winograd", planWinograd}, {"int8", planInt8}}

func alloc(_ string, n int) ([]float32, error) { return make([]float32, n), nil }

// planToday runs a layer as the planner does before fusion: the implicit
// convolution where the kernel has one (stride 1, one group), im2col and a
// product per group otherwise, then the residual Add and the activation
// as passes of their own.
func planToday(k *core.PanelKernel, l *layer) (func(), error) {
	var conv func()
	ic, err := core.NewImplicitConv(k, &l.g, l.w, l.b, alloc)
	if err != nil {
		return nil, err
	}
	if ic != nil {
		conv = func() { ic.Run(k, l.y, l.x) }
	} else {
		col := make([]float32, l.g.ColSize())
		conv = func() { core.Conv2D(l.y, l.x, l.w, l.b, &l.g, col) }
	}
	var add func()
	if l.Residual {
		bc, err := core.NewBroadcast("Add", l.g.OutShape(), l.g.OutShape())
		if err != nil {
			return nil, err
		}
		add = func() { bc.Apply(core.OpAdd, l.y, l.y, l.res) }
	}
	act := map[convshapes.Act]func(y []float32){
		convshapes.None:  nil,
		convshapes.ReLU:  func(y []float32) { core.ReLU(y, y) },
		convshapes.ReLU6: func(y []float32) { core.Clip(y, y, 0, 6) },
		convshapes.HardSwish: func(y []float32) {
			for i, v := range y {
				y[i] = v * min(max(v/6+0.5, 0), 1)
			}
		},
		convshapes.HardSigmoid: func(y []float32) {
			for i, v := range y {
				y[i] = min(max(v/6+0.5, 0), 1)
			}
		},
	}[l.Act]
	return func() {
		conv()
		if add != nil {
			add()
		}
		if act != nil {
			act(l.y)
		}
	}, nil
}

// activations maps the table's activations to the fused ones.
var activations = map[convshapes.Act]core.Activation{
	convshapes.None:        {},
	convshapes.ReLU:        core.ReLUActivation(),
	convshapes.ReLU6:       core.ClipActivation(0, 6),
	convshapes.HardSwish:   core.HardSwishActivation(),
	convshapes.HardSigmoid: core.HardSigmoidActivation(1.0/6, 0.5),
}

// planFused runs a layer as one fused convolution, [core.ConvPlan].
func planFused(k *core.PanelKernel, l *layer) (func(), error) {
	p, err := core.NewConvPlan(k, &l.g, l.w, l.b, activations[l.Act], l.Residual, alloc)
	if err != nil {
		return nil, err
	}
	return func() { p.Run(l.y, l.x, l.res) }, nil
}

// errNotApplicable marks a layer an implementation does not take.
var errNotApplicable = errors.New("not applicable")

// planWinograd runs a 3×3 layer of stride 1 with Winograd's F(2×2, 3×3).
func planWinograd(k *core.PanelKernel, l *layer) (func(), error) {
	if l.KH != 3 || l.KW != 3 || l.Stride != 1 || l.Group != 1 {
		return nil, errNotApplicable
	}
	p, err := core.NewConvPlanMethod(k, &l.g, l.w, l.b, activations[l.Act], l.Residual, alloc, "winograd")
	if err != nil {
		return nil, err
	}
	return func() { p.Run(l.y, l.x, l.res) }, nil
}

// planInt8 runs a layer as a quantized convolution ([core.QConvPlan]):
// uint8 input and output, int8 filters quantized per filter, as
// onnxruntime's quantizer writes them (the activation is the output's
// range, the residual a QLinearAdd of its own, neither timed here).
func planInt8(k *core.PanelKernel, l *layer) (func(), error) {
	r := rand.New(rand.NewPCG(uint64(l.C), uint64(l.K)))
	q := core.QuantConv{XZero: 128, XScale: 0.02, W: make([]byte, len(l.w)), WSigned: true, YZero: 100, YScale: 0.05}
	for i := range q.W {
		q.W[i] = byte(int8(r.IntN(255) - 127))
	}
	for i := 0; i < l.K; i++ {
		q.WZero = append(q.WZero, 0)
		q.WScale = append(q.WScale, 0.001+r.Float32()*0.01)
	}
	p, err := core.NewQConvPlan(k, &l.g, q, alloc)
	if err != nil {
		return nil, err
	}
	x, y := make([]byte, len(l.x)), make([]byte, len(l.y))
	for i := range x {
		x[i] = byte(r.IntN(256))
	}
	return func() { p.Run(y, x) }, nil
}

// BenchmarkLayers times every distinct layer of every network with each
// implementation, keeping the fastest run; GFLOP/s counts two operations
// per multiply-accumulate.
func BenchmarkLayers(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	k := core.CurrentPanelKernel()
	for _, a := range convshapes.Archs {
		for _, row := range a.Layers {
			l, err := newLayer(row, r)
			if err != nil {
				b.Fatal(err)
			}
			for _, im := range impls {
				run, err := im.plan(k, l)
				if err == errNotApplicable {
					continue
				}
				if err != nil {
					b.Fatal(err)
				}
				b.Run(a.Name+"/"+row.Name+"/"+im.name, func(b *testing.B) {
					run() // WebAssembly compiles its optimized code after the first calls
					run()
					// The fastest run: on a shared machine the others are
					// slowed by whatever else runs, never sped up.
					best := time.Duration(math.MaxInt64)
					for b.Loop() {
						t0 := time.Now()
						run()
						best = min(best, time.Since(t0))
					}
					ns := float64(best.Nanoseconds())
					results[[3]string{a.Name, row.Name, im.name}] = ns
					b.ReportMetric(2*float64(row.MACs())/ns, "GFLOP/s")
				})
			}
		}
	}
}

// printTable writes the measured layers as a Markdown table, then each
// network's estimated time per image: the sum over its layers of the time
// of one run times the number of runs.
func printTable() {
	var cols []string
	for _, im := range impls {
		cols = append(cols, im.name)
	}
	for _, peer := range []string{"ort-node", "ort-web"} {
		for k := range results {
			if k[2] == peer {
				cols = append(cols, peer)
				break
			}
		}
	}
	var sb strings.Builder
	kernel := kernelName
	if kernel == "" {
		kernel = core.GemmKernelName()
	}
	fmt.Fprintf(&sb, "\nkernel: %s\n\n| network | layer | C×H×W → K, k/s/g | runs | MMAC |", kernel)
	for _, c := range cols {
		fmt.Fprintf(&sb, " %s GFLOP/s |", c)
	}
	sb.WriteString("\n|---|---|---|---|---|" + strings.Repeat("---|", len(cols)) + "\n")
	totals := map[[2]string]float64{}
	complete := map[[2]string]bool{}
	for _, a := range convshapes.Archs {
		for _, l := range a.Layers {
			fmt.Fprintf(&sb, "| %s | %s | %d×%d×%d → %d, %d/%d/%d | %d | %.1f |", a.Name, l.Name, l.C, l.H, l.W, l.K, l.KH, l.Stride, l.Group, l.Count, float64(l.MACs())/1e6)
			for _, c := range cols {
				key := [2]string{a.Name, c}
				ns, ok := results[[3]string{a.Name, l.Name, c}]
				if !ok {
					sb.WriteString(" – |")
					complete[key] = false
					continue
				}
				if _, seen := complete[key]; !seen {
					complete[key] = true
				}
				totals[key] += ns * float64(l.Count)
				fmt.Fprintf(&sb, " %.2f |", 2*float64(l.MACs())/ns)
			}
			sb.WriteString("\n")
		}
	}
	fmt.Fprintf(&sb, "\n| network | GMAC |")
	for _, c := range cols {
		fmt.Fprintf(&sb, " %s ms |", c)
	}
	sb.WriteString("\n|---|---|" + strings.Repeat("---|", len(cols)) + "\n")
	for _, a := range convshapes.Archs {
		fmt.Fprintf(&sb, "| %s | %.3f |", a.Name, float64(a.MACs()-a.DenseMACs)/1e9)
		for _, c := range cols {
			key := [2]string{a.Name, c}
			if !complete[key] {
				sb.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&sb, " %.2f |", totals[key]/1e6)
		}
		sb.WriteString("\n")
	}
	fmt.Print(sb.String())
}
