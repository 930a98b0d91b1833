package wasmsize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sort"
)

// GoLayout is where the data section of a Go-built module goes, read from
// the runtime's module data (runtime.moduledata of Go 1.26, 64-bit
// pointers), which the linker fills with the bounds of each region.
type GoLayout struct {
	// Names are the functions' names in the order of the runtime's function
	// table, which is the order of the code section: Go's own spelling,
	// kept in stripped builds too (the name section mangles them: "/", "*"
	// and "(" become "_").
	Names []string
	// Regions lists the regions of the data, in address order.
	Regions []Region
}

// Region is a span of the initial memory. Bytes is its extent; File is
// what it takes in the data section: the bytes of it the segments carry,
// and the headers of the segments that start in it (Go's linker starts a
// new segment after every run of 8 or more zero bytes), Gzip that alone
// compressed with gzip -9.
type Region struct {
	Name     string `json:"name"`
	Start    uint64 `json:"start"`
	Bytes    int    `json:"bytes"`
	Segments int    `json:"segments"`
	File     int    `json:"file_bytes"`
	Gzip     int    `json:"gzip"`
}

// regionFile returns the data section's bytes of a region: the headers of
// the segments that start in it and the data of every segment inside it.
func (m *Module) regionFile(r Region) (b []byte, segments int) {
	lo, hi := r.Start, r.Start+uint64(r.Bytes)
	for _, s := range m.Segments {
		end := s.Addr + uint64(len(s.Data))
		if end <= lo || s.Addr >= hi {
			continue
		}
		if s.Addr >= lo {
			segments++
			b = append(b, s.Header...)
		}
		b = append(b, s.Data[max(lo, s.Addr)-s.Addr:min(hi, end)-s.Addr]...)
	}
	return b, segments
}

// moduledata field offsets for Go 1.26 with 8-byte pointers.
const (
	mdFuncnametab = 8
	mdCutab       = 32
	mdPctab       = 80
	mdPclntable   = 104
	mdFtab        = 128
	mdFindfunctab = 152
	mdNoptrdata   = 192
	mdData        = 208
	mdEdata       = 216
	mdTypes       = 296
	mdGofunc      = 320
	mdTypelinks   = 360
	mdSize        = 384 // enough to read every field above
)

// pcHeaderMagic starts Go 1.20+'s pcHeader: magic 0xfffffff1, two zero
// bytes, the minimum instruction size (1 on wasm) and the pointer size.
var pcHeaderMagic = []byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8}

// ErrNotGo is returned by [Module.GoLayout] for modules without Go's
// runtime tables in the layout this package knows.
var ErrNotGo = errors.New("wasmsize: no Go 1.26 module data found")

// GoLayout finds the runtime's module data in the data segments and reads
// the bounds of its regions.
func (m *Module) GoLayout() (*GoLayout, error) {
	hdr, ok := m.findPCHeader()
	if !ok {
		return nil, ErrNotGo
	}
	le := binary.LittleEndian
	h := m.Read(hdr, 64)
	funcnameOff := le.Uint64(h[32:])
	md, ok := m.findModuledata(hdr, hdr+funcnameOff)
	if !ok {
		return nil, ErrNotGo
	}
	d := m.Read(md, mdSize)
	word := func(off int) uint64 { return le.Uint64(d[off:]) }
	slen := func(off int) int { return int(le.Uint64(d[off+8:])) }
	names, err := m.funcNames(word(mdPclntable), word(mdFtab), slen(mdFtab), word(mdFuncnametab), slen(mdFuncnametab))
	if err != nil {
		return nil, err
	}
	g := &GoLayout{Names: names}
	// Each region runs from its bound to the next one in address order.
	bounds := []struct {
		name string
		addr uint64
	}{
		{"read-only data: type descriptors, strings, constants", word(mdTypes)},
		{"pclntab: function names", hdr},
		{"pclntab: file and compilation-unit tables", word(mdCutab)},
		{"pclntab: PC-value tables (stack sizes, lines)", word(mdPctab)},
		{"pclntab: function records", word(mdPclntable)},
		{"pclntab: function data (stack maps)", word(mdGofunc)},
		{"pclntab: PC lookup buckets (findfunctab)", word(mdFindfunctab)},
		{"type and itab link tables", word(mdTypelinks)},
		{"module data", md},
		{"variables without pointers (noptrdata)", word(mdNoptrdata)},
		{"variables (data)", word(mdData)},
	}
	end := word(mdEdata)
	sort.SliceStable(bounds, func(i, j int) bool { return bounds[i].addr < bounds[j].addr })
	for i, b := range bounds {
		next := end
		if i+1 < len(bounds) {
			next = bounds[i+1].addr
		}
		if b.addr == 0 || next < b.addr || next > end {
			return nil, ErrNotGo
		}
		g.Regions = append(g.Regions, Region{Name: b.name, Start: b.addr, Bytes: int(next - b.addr)})
	}
	return g, nil
}

// funcNames reads every function's name: the function table (ftab) holds
// one {entry, offset of the function's record in pclntable} pair per
// function and one for the end; a record starts {entry uint32, name offset
// int32}, the offset into the NUL-separated funcnametab.
func (m *Module) funcNames(pcln, ftab uint64, nftab int, nametab uint64, nameLen int) ([]string, error) {
	// A real table is stored in the data segments: bound what to read by
	// the memory they cover, not by what the words claim.
	var limit uint64
	if n := len(m.Segments); n > 0 {
		limit = m.Segments[n-1].Addr + uint64(len(m.Segments[n-1].Data))
	}
	if nftab < 1 || uint64(nftab) > limit/8 || nameLen < 0 || uint64(nameLen) > limit {
		return nil, ErrNotGo
	}
	le := binary.LittleEndian
	tab := m.Read(ftab, 8*nftab)
	names := m.Read(nametab, nameLen)
	out := make([]string, nftab-1)
	for i := range out {
		rec := m.Read(pcln+uint64(le.Uint32(tab[8*i+4:])), 8)
		off := int(int32(le.Uint32(rec[4:])))
		if off < 0 || off >= len(names) {
			return nil, ErrNotGo
		}
		end := bytes.IndexByte(names[off:], 0)
		if end < 0 {
			return nil, ErrNotGo
		}
		out[i] = string(names[off : off+end])
	}
	return out, nil
}

func (m *Module) findPCHeader() (uint64, bool) {
	for _, s := range m.Segments {
		for i := 0; ; {
			j := bytes.Index(s.Data[i:], pcHeaderMagic)
			if j < 0 {
				break
			}
			if a := s.Addr + uint64(i+j); a%8 == 0 {
				return a, true
			}
			i += j + 1
		}
	}
	return 0, false
}

// findModuledata looks for the 8-byte-aligned pair of words (pcHeader,
// funcnametab's address) that starts runtime.firstmoduledata. Its first
// bytes may be zeros a segment leaves out, so each segment is searched
// with the memory just before it.
func (m *Module) findModuledata(hdr, names uint64) (uint64, bool) {
	var want [16]byte
	binary.LittleEndian.PutUint64(want[:], hdr)
	binary.LittleEndian.PutUint64(want[8:], names)
	for _, s := range m.Segments {
		from := s.Addr &^ 7
		if from >= 16 {
			from -= 16
		}
		mem := m.Read(from, int(s.Addr-from)+len(s.Data))
		for i := 0; i+16 <= len(mem); i += 8 {
			if bytes.Equal(mem[i:i+16], want[:]) {
				return from + uint64(i), true
			}
		}
	}
	return 0, false
}
