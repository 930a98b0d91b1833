package wasmsize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module assembles a WebAssembly binary from sections.
type module struct{ b []byte }

func newModule() *module { return &module{b: []byte("\x00asm\x01\x00\x00\x00")} }

func (m *module) section(id byte, payload []byte) *module {
	m.b = append(m.b, id)
	m.b = AppendULEB(m.b, uint64(len(payload)))
	m.b = append(m.b, payload...)
	return m
}

func name(b []byte, s string) []byte { return append(AppendULEB(b, uint64(len(s))), s...) }

// vec prefixes items with their count.
func vec(items ...[]byte) []byte {
	b := AppendULEB(nil, uint64(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func body(code ...byte) []byte { return append(AppendULEB(nil, uint64(len(code))), code...) }

func activeSegment(addr int64, data []byte) []byte {
	b := []byte{0, 0x41}
	b = AppendSLEB(b, addr)
	b = append(b, 0x0b)
	b = AppendULEB(b, uint64(len(data)))
	return append(b, data...)
}

// tiny is a hand-made module: one imported function, two defined ones
// named by a name section, two active data segments and a passive one.
func tiny() []byte {
	m := newModule()
	m.section(SectionType, vec([]byte{0x60, 0, 0}))                          // () -> ()
	m.section(SectionImport, vec(append(name(name(nil, "env"), "f"), 0, 0))) // func env.f, type 0
	m.section(SectionFunction, vec([]byte{0}, []byte{0}))
	m.section(SectionMemory, vec([]byte{0, 1}))
	m.section(SectionCode, vec(
		body(0, 0x0b),                   // no locals, end
		body(0, 0x10, 0, 0x10, 0, 0x0b), // call 0, call 0, end
	))
	m.section(SectionData, vec(
		activeSegment(16, []byte{1, 2, 3}),
		[]byte{1, 2, 7, 7}, // passive, two bytes
		activeSegment(4, []byte{9}),
	))
	names := vec(
		append(AppendULEB(nil, 1), name(nil, "main.start")...),
		append(AppendULEB(nil, 2), name(nil, "honnef.co_go_js_dom_v2.__Window_.Document")...),
	)
	m.section(SectionCustom, append(name(nil, "name"), append([]byte{1}, append(AppendULEB(nil, uint64(len(names))), names...)...)...))
	return m.b
}

func TestParseTiny(t *testing.T) {
	m, err := Parse(tiny())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range m.Sections {
		ids = append(ids, s.Name)
	}
	if want := []string{"type", "import", "function", "memory", "code", "data", "name"}; !slices.Equal(ids, want) {
		t.Errorf("sections %v, want %v", ids, want)
	}
	if m.ImportedFuncs != 1 {
		t.Errorf("%d imported functions, want 1", m.ImportedFuncs)
	}
	want := []Func{{Index: 1, Name: "main.start", Size: 2}, {Index: 2, Name: "honnef.co_go_js_dom_v2.__Window_.Document", Size: 6}}
	if len(m.Funcs) != 2 {
		t.Fatalf("functions %+v, want 2", m.Funcs)
	}
	for i, f := range m.Funcs {
		f.Offset = 0
		if f != want[i] {
			t.Errorf("function %d: %+v, want %+v", i, f, want[i])
		}
	}
	if !m.HasNames {
		t.Error("HasNames is false")
	}
	code, _ := m.Section(SectionCode, "")
	if code.Size != 1+1+2+1+6 {
		t.Errorf("code section payload %d bytes, want 11", code.Size)
	}
	// The passive segment is not in memory; the active ones are sorted.
	if len(m.Segments) != 2 || m.Segments[0].Addr != 4 || m.Segments[1].Addr != 16 {
		t.Fatalf("segments %+v, want the active ones at 4 and 16", m.Segments)
	}
	if h := m.Segments[1].Header; !bytes.Equal(h, []byte{0, 0x41, 16, 0x0b, 3}) {
		t.Errorf("header % x", h)
	}
	if got := m.Read(2, 18); !bytes.Equal(got, []byte{0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0}) {
		t.Errorf("memory at 2..20: %v", got)
	}
}

func TestParseRejects(t *testing.T) {
	good := tiny()
	cases := []struct {
		desc string
		b    []byte
		want string
	}{
		{"empty", nil, "not a WebAssembly module"},
		{"version 2", append([]byte("\x00asm\x02\x00\x00\x00"), good[8:]...), "not a WebAssembly module"},
		{"section past the end", newModule().section(SectionCode, vec(body(0, 0x0b))).b[:12], "past the end of the module"},
		{"body past its section", newModule().section(SectionCode, []byte{1, 5, 0, 0x0b}).b, "past the end of the section"},
		{"more bodies than bytes", newModule().section(SectionCode, []byte{9, 1}).b, "bodies in"},
		{"segment address not a constant", newModule().section(SectionData, []byte{1, 0, 0x23, 0, 0x0b, 0}).b, "want a constant"},
		{"negative address", newModule().section(SectionData, vec(activeSegment(-8, []byte{1}))).b, "negative address"},
		{"unknown import kind", newModule().section(SectionImport, vec(append(name(name(nil, "a"), "b"), 9))).b, "unknown kind"},
		{"endless LEB128", newModule().section(SectionCode, bytes.Repeat([]byte{0x80}, 12)).b, "too long"},
		{"truncated name", newModule().section(SectionCustom, []byte{5, 'n'}).b, "runs past the end"},
	}
	for _, c := range cases {
		_, err := Parse(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.desc, err, c.want)
		}
	}
	// Every prefix of a good module fails cleanly or parses: never a panic.
	for n := range good {
		Parse(good[:n])
	}
}

func TestPackageOf(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"runtime.mallocgc", "runtime"},
		{"honnef.co/go/js/dom/v2.(*Window).Document", "honnef.co/go/js/dom/v2"},
		{"honnef.co/go/js/dom/v2.HTMLAnchorElement.Bool", "honnef.co/go/js/dom/v2"},
		{"wasmcnn/core.(*Model).Predict.func1", "wasmcnn/core"},
		{"main.(*page).frame", "main"},
		{"slices.SortFunc[go.shape.[]wasmcnn/core.Stroke,go.shape.struct {}]", "slices"},
		{"internal/runtime/maps.(*Map).getWithKeySmall", "internal/runtime/maps"},
		{"type:.eq.[8]string", "type:"},
		{"go:buildid", "go:"},
		{"_rt0_wasm_js", "runtime"},
		{"", "(unnamed)"},
	} {
		if got := PackageOf(c.name); got != c.want {
			t.Errorf("PackageOf(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMangle(t *testing.T) {
	if got, want := Mangle("honnef.co/go/js/dom/v2.(*Window).Document"), "honnef.co_go_js_dom_v2.__Window_.Document"; got != want {
		t.Errorf("Mangle = %q, want %q", got, want)
	}
}

// goImage builds the memory image of a Go runtime table for the named
// functions, laid out as Go 1.26's linker does: rodata at 0x1000, the
// pcHeader and its tables at 0x2000, the module data at 0x8000,
// noptrdata and data after it.
func goImage(names []string) []Segment {
	le := binary.LittleEndian
	const (
		types  = 0x1000
		hdr    = 0x2000
		md     = 0x8000
		noptr  = 0x9000
		data   = 0x9100
		edata  = 0x9200
		buckts = 0x7000
	)
	var nametab []byte
	var offs []int
	for _, n := range names {
		offs = append(offs, len(nametab))
		nametab = append(append(nametab, n...), 0)
	}
	funcnames := uint64(hdr + 0x48)
	cutab := funcnames + uint64(len(nametab)) + 8
	filetab := cutab + 8
	pctab := filetab + 8
	pcln := pctab + 8
	// ftab: one {entry, record offset} per function and one for the end;
	// the records follow it, 8 bytes each ({entry, name offset}).
	ftabLen := 8 * (len(names) + 1)
	pclnBuf := make([]byte, ftabLen+8*len(names))
	for i := range names {
		rec := ftabLen + 8*i
		le.PutUint32(pclnBuf[8*i:], uint32(i+1)) // entries are never 0 here, so no segment splits
		le.PutUint32(pclnBuf[8*i+4:], uint32(rec))
		le.PutUint32(pclnBuf[rec:], uint32(i+1))
		le.PutUint32(pclnBuf[rec+4:], uint32(offs[i]))
	}
	gofunc := pcln + uint64(len(pclnBuf))
	h := make([]byte, 0x48)
	copy(h, pcHeaderMagic)
	le.PutUint64(h[8:], uint64(len(names)))
	le.PutUint64(h[32:], funcnames-hdr)
	d := make([]byte, mdSize)
	put := func(off int, v uint64) { le.PutUint64(d[off:], v) }
	slice := func(off int, p uint64, n int) { put(off, p); put(off+8, uint64(n)); put(off+16, uint64(n)) }
	put(0, hdr)
	slice(mdFuncnametab, funcnames, len(nametab))
	slice(mdCutab, cutab, 1)
	slice(mdPctab, pctab, 8)
	slice(mdPclntable, pcln, len(pclnBuf))
	slice(mdFtab, pcln, len(names)+1)
	put(mdFindfunctab, buckts)
	put(mdNoptrdata, noptr)
	put(mdData, data)
	put(mdEdata, edata)
	put(mdTypes, types)
	put(mdGofunc, gofunc)
	slice(mdTypelinks, md-0x100, 4)
	return []Segment{
		{Addr: types, Data: []byte("type descriptors and strings")},
		{Addr: hdr, Data: h},
		{Addr: funcnames, Data: nametab},
		{Addr: pcln, Data: pclnBuf},
		{Addr: buckts, Data: []byte{1, 2, 3, 4}},
		{Addr: md, Data: d},
		{Addr: noptr, Data: []byte{5}},
	}
}

// goModule is a module whose functions are named both by a Go runtime
// table and, when withNames, by a name section.
func goModule(tableNames, sectionNames []string) []byte {
	m := newModule()
	m.section(SectionType, vec([]byte{0x60, 0, 0}))
	fns := make([][]byte, len(tableNames))
	bodies := make([][]byte, len(tableNames))
	for i := range fns {
		fns[i] = []byte{0}
		bodies[i] = body(append(append([]byte{0}, bytes.Repeat([]byte{1}, i)...), 0x0b)...) // i nops
	}
	m.section(SectionFunction, vec(fns...))
	m.section(SectionCode, vec(bodies...))
	var segs [][]byte
	for _, s := range goImage(tableNames) {
		segs = append(segs, activeSegment(int64(s.Addr), s.Data))
	}
	m.section(SectionData, vec(segs...))
	if sectionNames != nil {
		var entries [][]byte
		for i, n := range sectionNames {
			entries = append(entries, append(AppendULEB(nil, uint64(i)), name(nil, n)...))
		}
		sub := vec(entries...)
		m.section(SectionCustom, append(name(nil, "name"), append([]byte{1}, append(AppendULEB(nil, uint64(len(sub))), sub...)...)...))
	}
	return m.b
}

func identity(b []byte) []byte { return b }

func TestMeasureGoModule(t *testing.T) {
	names := []string{"runtime.main", "wasmcnn/core.(*Model).Predict", "wasmcnn/core.Softmax", "main.main"}
	mangled := make([]string, len(names))
	for i, n := range names {
		mangled[i] = Mangle(n)
	}
	for _, withNames := range []bool{false, true} {
		var sec []string
		if withNames {
			sec = mangled
		}
		b := goModule(names, sec)
		r, err := Measure(b, Options{Gzip: identity, Brotli: identity})
		if err != nil {
			t.Fatalf("names %v: %v", withNames, err)
		}
		if r.Raw != len(b) || r.Gzip != len(b) || r.Funcs != 4 || r.NameSection != withNames {
			t.Errorf("names %v: report %+v", withNames, r)
		}
		// Bodies are 2, 3, 4 and 5 bytes long.
		// With the identity as gzip, a package's compressed code is its code.
		want := []Package{{"wasmcnn/core", 2, 7, 7}, {"main", 1, 5, 5}, {"runtime", 1, 2, 2}}
		if !slices.Equal(r.Packages, want) {
			t.Errorf("names %v: packages %+v, want %+v", withNames, r.Packages, want)
		}
		var regions []string
		for _, g := range r.Regions {
			regions = append(regions, g.Name)
		}
		if len(r.Regions) != 11 || r.Regions[0].Start != 0x1000 || r.Regions[0].File != 6+len("type descriptors and strings") { // header: flags, i32.const 0x1000, end, size
			t.Errorf("names %v: regions %+v", withNames, r.Regions)
		}
		total := 0
		for _, g := range r.Regions {
			total += g.File
		}
		if data, _ := mustParse(t, b).Section(SectionData, ""); total != data.Size-1 { // all but the segment count
			t.Errorf("names %v: regions hold %d bytes of the data section's %d", withNames, total, data.Size)
		}
	}
	// A name section that disagrees with the runtime's table is an error.
	bad := slices.Clone(mangled)
	bad[1], bad[2] = bad[2], bad[1]
	if _, err := Measure(goModule(names, bad), Options{Gzip: identity, Brotli: identity}); err == nil || !strings.Contains(err.Error(), "in the name section but") {
		t.Errorf("swapped names: error %v", err)
	}
	// Without a Go table the package sizes come from the name section.
	r, err := Measure(tiny(), Options{Gzip: identity, Brotli: identity})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Regions) != 0 || len(r.Packages) != 2 {
		t.Errorf("tiny: regions %v, packages %v", r.Regions, r.Packages)
	}
	if _, err := mustParse(t, tiny()).GoLayout(); !errors.Is(err, ErrNotGo) {
		t.Errorf("GoLayout of a module without Go's table: %v", err)
	}
}

func mustParse(t *testing.T, b []byte) *Module {
	t.Helper()
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func FuzzParse(f *testing.F) {
	f.Add(tiny())
	f.Add(goModule([]string{"main.main"}, []string{"main.main"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := Parse(b); err == nil {
			m.GoLayout()
			Measure(b, Options{Gzip: identity, Brotli: identity})
		}
	})
}

// TestRealGoBuild builds a small program for GOOS=js GOARCH=wasm stripped
// and with names: the runtime's table must read the same in both and
// agree with the name section, function by function.
func TestRealGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	dir := t.TempDir()
	build := func(out string, ldflags string) []byte {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+ldflags, "-o", filepath.Join(dir, out), "./testdata/hello")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		b, err := os.ReadFile(filepath.Join(dir, out))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stripped := build("s.wasm", "-s -w")
	named := build("n.wasm", "-w")
	o := Options{Gzip: identity, Brotli: identity}
	rs, err := Measure(stripped, o)
	if err != nil {
		t.Fatal(err)
	}
	rn, err := Measure(named, o)
	if err != nil {
		t.Fatal(err)
	}
	if rs.NameSection || !rn.NameSection {
		t.Fatalf("name sections: stripped %v, unstripped %v", rs.NameSection, rn.NameSection)
	}
	if rs.Code != rn.Code || rs.Data != rn.Data || !slices.Equal(rs.Packages, rn.Packages) || !slices.Equal(rs.Regions, rn.Regions) {
		t.Errorf("stripped and unstripped builds differ: code %d/%d, data %d/%d", rs.Code, rn.Code, rs.Data, rn.Data)
	}
	m := mustParse(t, named)
	g, err := m.GoLayout()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(g.Names, "main.main") || !slices.Contains(g.Names, "main.greeting") || !slices.Contains(g.Names, "runtime.mallocgc") {
		t.Errorf("the table lacks main.main, main.greeting or runtime.mallocgc (%d names)", len(g.Names))
	}
	sum := 0
	for _, p := range rs.Packages {
		sum += p.Code
		if p.Path == "runtime" && p.Code < rs.Code/4 {
			t.Errorf("runtime has %d of %d code bytes", p.Code, rs.Code)
		}
	}
	if sum >= rs.Code || sum < rs.Code*9/10 {
		t.Errorf("the packages hold %d bytes of a %d-byte code section", sum, rs.Code)
	}
	total := 0
	for _, r := range rs.Regions {
		total += r.File
	}
	if total >= rs.Data || total < rs.Data*99/100 {
		t.Errorf("the regions hold %d bytes of a %d-byte data section", total, rs.Data)
	}
}
