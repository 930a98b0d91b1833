package wasmsize

import (
	"sort"
	"strings"
)

// Package is the code of one Go package: its functions' bodies.
type Package struct {
	Path  string `json:"path"`
	Funcs int    `json:"funcs"`
	Code  int    `json:"code_bytes"`
	// CodeGzip is the size of the bodies joined and compressed alone with
	// gzip -9: what the package adds to a compressed download, about.
	CodeGzip int `json:"code_gzip,omitempty"`
}

// PackageOf returns the Go package of a function's symbol name, as Go's
// linker spells it: "honnef.co/go/js/dom/v2.(*Window).Document" →
// "honnef.co/go/js/dom/v2", "slices.SortFunc[...]" → "slices". Names the
// linker makes up (type equality functions, wrappers without a package)
// and the runtime's assembly entry points group under their prefix.
func PackageOf(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	if strings.HasPrefix(name, "type:") || strings.HasPrefix(name, "go:") {
		// "type:.eq.[8]string", "go:buildid": made by the linker.
		return name[:strings.IndexByte(name, ':')+1]
	}
	// The package path ends at the first dot after its last slash; a slash
	// inside type arguments or a receiver does not count.
	scope := name
	if i := strings.IndexAny(scope, "[("); i >= 0 {
		scope = scope[:i]
	}
	start := strings.LastIndexByte(scope, '/') + 1
	if i := strings.IndexByte(name[start:], '.'); i >= 0 {
		return name[:start+i]
	}
	// No dot: an assembly or linker-made function such as _rt0_wasm_js or
	// wasm_pc_f_loop, part of the runtime.
	return "runtime"
}

// Packages groups functions by [PackageOf] their names, largest first.
func Packages(funcs []Func) []Package {
	by := map[string]*Package{}
	for _, f := range funcs {
		p := PackageOf(f.Name)
		if by[p] == nil {
			by[p] = &Package{Path: p}
		}
		by[p].Funcs++
		by[p].Code += f.Size
	}
	out := make([]Package, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Code != out[j].Code {
			return out[i].Code > out[j].Code
		}
		return out[i].Path < out[j].Path
	})
	return out
}
