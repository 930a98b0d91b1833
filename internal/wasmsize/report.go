package wasmsize

import (
	"fmt"
	"regexp"
)

// Report is the size of one module, raw and compressed, and where its
// bytes go.
type Report struct {
	Raw    int `json:"raw"`
	Gzip   int `json:"gzip"`   // gzip -9
	Brotli int `json:"brotli"` // brotli at [Options.Brotli]'s level
	// Code and Data are the payloads of the code and data sections, alone
	// and each compressed alone with gzip -9 (the sum of the parts
	// compresses a little worse than the whole).
	Code     int `json:"code"`
	CodeGzip int `json:"code_gzip"`
	Data     int `json:"data"`
	DataGzip int `json:"data_gzip"`
	Funcs    int `json:"funcs"`
	// Segments counts the data segments; each costs about eight bytes of
	// header in the data section.
	Segments int       `json:"data_segments"`
	Sections []Section `json:"sections"`
	// Packages is the code per Go package, largest first, and Regions
	// where the data section goes; both are empty for a module not built
	// by Go 1.26 (or without names).
	Packages []Package `json:"packages,omitempty"`
	Regions  []Region  `json:"data_regions,omitempty"`
	// NameSection says whether the module carries a name section (an
	// unstripped build); when it does, every name in it matched the
	// runtime's table that Packages is read from.
	NameSection bool `json:"name_section"`
}

// Options are the compressors a report uses; both return the compressed
// bytes of their input.
type Options struct {
	Gzip, Brotli func([]byte) []byte
}

// Measure parses a module and reports its sizes.
func Measure(b []byte, o Options) (*Report, error) {
	m, err := Parse(b)
	if err != nil {
		return nil, err
	}
	r := &Report{Raw: len(b), Gzip: len(o.Gzip(b)), Brotli: len(o.Brotli(b)), Funcs: len(m.Funcs), Segments: len(m.Segments), Sections: m.Sections, NameSection: m.HasNames}
	if s, ok := m.Section(SectionCode, ""); ok {
		r.Code, r.CodeGzip = s.Size, len(o.Gzip(b[s.Offset:s.Offset+s.Size]))
	}
	if s, ok := m.Section(SectionData, ""); ok {
		r.Data, r.DataGzip = s.Size, len(o.Gzip(b[s.Offset:s.Offset+s.Size]))
	}
	g, err := m.GoLayout()
	switch {
	case err == nil:
		if len(g.Names) != len(m.Funcs) {
			return nil, fmt.Errorf("wasmsize: the runtime's table names %d functions, the code section has %d", len(g.Names), len(m.Funcs))
		}
		for i := range m.Funcs {
			if m.HasNames && m.Funcs[i].Name != Mangle(g.Names[i]) {
				return nil, fmt.Errorf("wasmsize: function %d is %q in the name section but %q in the runtime's table", m.Funcs[i].Index, m.Funcs[i].Name, g.Names[i])
			}
			m.Funcs[i].Name = g.Names[i]
		}
		r.Regions = g.Regions
		for i := range r.Regions {
			b, n := m.regionFile(r.Regions[i])
			r.Regions[i].Segments, r.Regions[i].File, r.Regions[i].Gzip = n, len(b), len(o.Gzip(b))
		}
		r.Packages = Packages(m.Funcs)
		bodies := map[string][]byte{}
		for _, f := range m.Funcs {
			p := PackageOf(f.Name)
			bodies[p] = append(bodies[p], b[f.Offset:f.Offset+f.Size]...)
		}
		for i := range r.Packages {
			r.Packages[i].CodeGzip = len(o.Gzip(bodies[r.Packages[i].Path]))
		}
	case m.HasNames:
		r.Packages = Packages(m.Funcs) // mangled names: package paths lose their slashes
	}
	return r, nil
}

var unsafeName = regexp.MustCompile(`[^\w.]`)

// Mangle spells a function's name as Go's linker writes it in the name
// section: every character but letters, digits, "_" and "." becomes "_".
func Mangle(name string) string { return unsafeName.ReplaceAllString(name, "_") }
