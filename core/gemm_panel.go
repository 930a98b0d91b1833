package core

import (
	"runtime"
	"sync"
	"unsafe"
)

// PanelKernel is a matrix kernel faster than Go's own that a platform can
// install with [SetPanelKernel]: the browser build installs a WebAssembly
// SIMD module, since Go's compiler emits no SIMD for wasm.
//
// Tiles computes, for every MR×NR tile of the mp×np block of C at c (row
// stride ldc floats; mp a multiple of MR and np of NR),
//
//	c[i][j] (+)= Σ_{p<kb} A[i][p] · B[p][j]
//
// adding when accumulate is set and overwriting otherwise. A is packed in
// panels of MR rows, depth-major: A[i][p] = pa[(i/MR)·MR·kb + MR·p + i%MR].
// B is read in panels of NR columns: B[p][j] = pb[(j/NR)·bPanel + p·bRow +
// j%NR], so one kernel reads packed panels (bPanel = NR·kb, bRow = NR) and
// B's own rows (bPanel = NR, bRow = ldb) alike. Strides are in floats. The
// pointers are to buffers Go owns, valid only during the call; the caller
// guarantees every element the formula touches.
//
// The other kernels are optional (nil where a platform has none); each is
// defined by its plain Go twin in [ReferencePanelKernel], and like Tiles
// they take pointers to Go-owned buffers whose sizes the caller checked.
type PanelKernel struct {
	Name    string
	MR, NR  int
	MinWork int // products of fewer multiply-adds (m·n·k) stay with Go's kernel
	Tiles   func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, accumulate bool)

	// ConvTiles computes a stride-1 convolution as a product with an
	// implicit B (MR = 4, NR = 8 only): for every 4×8 tile of the mp×np
	// block at c,
	//
	//	c[i][j] = bias[i] + Σ_{p<kb} A[i][p] · base[offs[p] + j + ⌊j/rowCols⌋·rowSkip]
	//
	// with A packed as for Tiles and offs kb int32 offsets in floats;
	// rowCols is a multiple of 8 (the output width, whose rows are then
	// compact) or at least np with rowSkip 0.
	ConvTiles func(pa, base, offs, bias, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int)
	// ReLU sets y[i] = x[i] < 0 ? 0 : x[i] for n floats, n a multiple of 4.
	ReLU func(y, x unsafe.Pointer, n int)
	// MaxPool2 pools 2×2 windows of stride 2: output row q (ow ≥ 4 floats,
	// rows consecutive at y) from input rows 2q and 2q+1 (w floats apart,
	// pairs 2w apart at x), compared in the order of [MaxPool2D].
	MaxPool2 func(y, x unsafe.Pointer, rows, w, ow int)
	// MaxPoolRows pools windows of kh×kw with column stride sw (1 or 2)
	// for every plane p < planes, row r < rows and column c < n (n ≥ 4):
	//
	//	y[p·yPlane + r·yRow + c] = max_{i<kh, j<kw} x[p·xPlane + r·xRow + i·w + c·sw + j]
	//
	// compared in the order of [MaxPool2D] (row by row; a later value wins
	// only when greater), strides in floats.
	MaxPoolRows func(y, x unsafe.Pointer, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int)
	// ScaleShift sets, for each plane p < planes of hw floats (hw a
	// multiple of 4), y = a[p]·x + b[p], the product rounded before the
	// sum, then under relu y < 0 ? 0 : y; y may be x ([BatchNormReLU]).
	ScaleShift func(y, x, a, b unsafe.Pointer, planes, hw int, relu bool)
	// Dots adds to y[j], for j < n, the dot product of the k floats at a
	// (k a multiple of 4) with row j of B (rows ldb floats apart at b).
	Dots func(y, a, b unsafe.Pointer, ldb, n, k int)
	// CopyBlocks copies, for every group g < groups and row r < rows,
	// width floats from src + g·srcGroup + r·srcRow to dst + g·dstGroup +
	// r·dstRow (strides in floats; the blocks do not overlap).
	CopyBlocks func(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int)

	// GemmEp is Tiles for a fused convolution ([ConvPlan]): for every
	// MR×NR tile of the mp×np block at c,
	//
	//	c[i][j] = act(init[i][j] + Σ_{p<kb} A[i][p] · B[p][j])
	//
	// where init is c[i][j] itself under EpAccumulate, else the sum of
	// ep.Bias[i] (EpBias) and the residual's (i, j) (EpResidual), and act
	// is applied under EpActivate only ([EpilogueArgs]). A and B are laid
	// out as for Tiles.
	GemmEp func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)
	// ConvTilesEp is ConvTiles with the epilogue of GemmEp: every output
	// starts at ep.Bias[i] under EpBias plus the residual's (i, j) under
	// EpResidual (j counting the columns of the block at c, so a residual
	// is only meaningful on compact rows) and ends through the
	// activation under EpActivate; EpAccumulate is not taken.
	ConvTilesEp func(pa, base, offs, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int, ep *EpilogueArgs)
	// Depthwise computes a depthwise convolution with its bias and
	// activation ([DepthwiseArgs]).
	Depthwise func(a *DepthwiseArgs)
	// Gather lays rows of an image's im2col matrix out for a product:
	// for p < kb, r < rows, q < ow,
	//
	//	dst[p·ld + r·ow + q] = base[offs[p] + r·rowStep + q·sw]
	//
	// with offs kb int32 offsets in floats (where tap p of the first
	// output row reads in a zero-bordered image), sw 1 or 2 and strides
	// in floats. It reads nothing past the last element it copies.
	Gather func(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int)
	// QuantIn sets dst[i] = float32(src[i] − zero) for n bytes at src,
	// read as int8 when signed, else as uint8: a quantized convolution's
	// input for the float kernels.
	QuantIn func(dst, src unsafe.Pointer, n int, zero int32, signed bool)
	// Requant writes a quantized convolution's output bytes from its
	// products: for every row r < rows and column i < cols,
	//
	//	dst[r·cols + i] = byte(roundHalfEven(clamp(float32(int32(src[r·cols + i]) + bias[r]) · scale[r], Lo − Zero, Hi − Zero)) + Zero)
	//
	// where src holds integers (exact floats) and a the constants.
	Requant func(dst, src unsafe.Pointer, rows, cols int, a *RequantArgs)
}

var panelKernel *PanelKernel

// SetPanelKernel installs k for every [Gemm] large enough; nil restores
// Go's own kernel.
func SetPanelKernel(k *PanelKernel) {
	panelKernel, panelElementwise = k, nil
	if k != nil && (k.ReLU != nil || k.MaxPool2 != nil || k.MaxPoolRows != nil || k.ScaleShift != nil) {
		panelElementwise = &elementwiseKernels{ReLU: k.ReLU, ReLUStep: 4, MaxPool2: k.MaxPool2, MaxPool2MinOW: 4,
			MaxPoolRows: k.MaxPoolRows, MaxPoolRowsMinN: 4, ScaleShift: k.ScaleShift, ScaleShiftStep: 4}
	}
}

// CurrentPanelKernel returns the installed kernel, or nil.
func CurrentPanelKernel() *PanelKernel { return panelKernel }

// ActivePanelKernel returns the installed kernel's name, or "".
func ActivePanelKernel() string {
	if panelKernel == nil {
		return ""
	}
	return panelKernel.Name
}

// Blocking of the panel path: kc along the depth, nc columns of B at a time,
// so a packed A block stays in L2 and a panel of B in L1.
const (
	panelKC = 256
	panelNC = 512
	// panelDirectLd is the longest row of B (in floats) read in place.
	panelDirectLd = 2048
)

type panelScratch struct{ a, b, edge, c []float32 }

var panelPool = sync.Pool{New: func() any { return new(panelScratch) }}

func growF(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// gemmPanels is [Gemm] through the installed panel kernel, on C already
// scaled by beta. Per block of depth it packs A (alpha folded in); B is read
// in place when it is not transposed and packed otherwise. Whole tiles are
// computed straight into C; the ragged right and bottom edges go through a
// scratch block.
func gemmPanels(pk *PanelKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	mr, nr := pk.MR, pk.NR
	mp := (m + mr - 1) / mr * mr
	mFull := m / mr * mr
	s := panelPool.Get().(*panelScratch)
	s.a = growF(s.a, mp*panelKC)
	s.b = growF(s.b, panelNC*panelKC)
	s.edge = growF(s.edge, nr*panelKC)
	s.c = growF(s.c, max(mp*nr, mr*panelNC))
	ptr := func(x []float32) unsafe.Pointer { return unsafe.Pointer(&x[0]) }
	for p0 := 0; p0 < k; p0 += panelKC {
		kb := min(panelKC, k-p0)
		pa := s.a[:mp*kb]
		packA(transA, m, mr, kb, a, lda, p0, pa)
		if alpha != 1 {
			for i := range pa {
				pa[i] *= alpha
			}
		}
		for j0 := 0; j0 < n; j0 += panelNC {
			nb := min(panelNC, n-j0)
			nFull := nb / nr * nr
			if nFull > 0 {
				// B for the whole tiles: its rows in place, or packed panels when
				// transposed or when its rows are so long that a panel's reads
				// would each land on another page.
				var pb unsafe.Pointer
				bPanel, bRow := nr, ldb
				if transB || ldb > panelDirectLd {
					packed := s.b[:nFull*kb]
					for jj := 0; jj < nFull; jj += nr {
						packB(transB, kb, nr, nr, b, ldb, p0, j0+jj, packed[jj*kb:(jj+nr)*kb])
					}
					pb, bPanel, bRow = ptr(packed), nr*kb, nr
				} else {
					_ = b[(p0+kb-1)*ldb+j0+nFull-1] // every element the kernel reads
					pb = unsafe.Pointer(&b[p0*ldb+j0])
				}
				if mFull > 0 {
					_ = c[(mFull-1)*ldc+j0+nFull-1]
					pk.Tiles(ptr(pa), pb, bPanel, bRow, unsafe.Pointer(&c[j0]), ldc, mFull, nFull, kb, true)
				}
				if mFull < m {
					// Bottom edge: the last, partial panel of A into scratch.
					cs := s.c[:mr*nFull]
					pk.Tiles(unsafe.Pointer(&pa[mFull*kb]), pb, bPanel, bRow, ptr(cs), nFull, mr, nFull, kb, false)
					for i := mFull; i < m; i++ {
						addInto(c[i*ldc+j0:i*ldc+j0+nFull], cs[(i-mFull)*nFull:(i-mFull+1)*nFull])
					}
				}
			}
			if nFull < nb {
				// Right edge: the last columns, packed with zeros to a panel.
				pe := s.edge[:nr*kb]
				packB(transB, kb, nr, nb-nFull, b, ldb, p0, j0+nFull, pe)
				cs := s.c[:mp*nr]
				pk.Tiles(ptr(pa), ptr(pe), nr*kb, nr, ptr(cs), nr, mp, nr, kb, false)
				for i := 0; i < m; i++ {
					addInto(c[i*ldc+j0+nFull:i*ldc+j0+nb], cs[i*nr:i*nr+nb-nFull])
				}
			}
			runtime.KeepAlive(b)
			runtime.KeepAlive(c)
		}
	}
	runtime.KeepAlive(s)
	panelPool.Put(s)
}

// addInto adds src to dst elementwise.
func addInto(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}
