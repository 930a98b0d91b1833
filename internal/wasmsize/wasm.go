// Package wasmsize measures where the bytes of a WebAssembly module built
// by Go go: its sections, its functions (named by an unstripped build's
// name section) grouped by Go package, and its data section split into the
// regions of Go's linker layout (type descriptors, other read-only data,
// the function table the runtime keeps for stack traces, variables). The
// size command and the tests use it to judge every change to the browser
// and edge builds.
package wasmsize

import (
	"errors"
	"fmt"
	"sort"
)

// Section ids of the WebAssembly binary format.
const (
	SectionCustom   = 0
	SectionType     = 1
	SectionImport   = 2
	SectionFunction = 3
	SectionTable    = 4
	SectionMemory   = 5
	SectionGlobal   = 6
	SectionExport   = 7
	SectionStart    = 8
	SectionElement  = 9
	SectionCode     = 10
	SectionData     = 11
	SectionDataCnt  = 12
)

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"}

// Section is one section of a module: Size counts its payload, without the
// id byte and the size that precede it.
type Section struct {
	ID     byte   `json:"id"`
	Name   string `json:"name"` // the standard name, or a custom section's own name
	Start  int    `json:"-"`    // of the id byte
	Offset int    `json:"offset"`
	Size   int    `json:"size"`
}

// Func is one function defined in the module (not imported). Size is the
// length of its body in the code section, without the length that
// precedes it. Name comes from the name section, "" when there is none.
type Func struct {
	Index  int    `json:"index"` // in the function index space, after the imports
	Name   string `json:"name,omitempty"`
	Offset int    `json:"-"` // of the body in the module
	Size   int    `json:"size"`
}

// Segment is one active data segment: Data is copied to Addr in linear
// memory when the module is instantiated.
type Segment struct {
	Addr   uint64
	Header []byte // as stored: flags, address, size
	Data   []byte
}

// Module is what a size report needs from a parsed module.
type Module struct {
	Sections      []Section
	ImportedFuncs int
	Funcs         []Func
	HasNames      bool      // whether a name section names the functions
	Segments      []Segment // sorted by address
}

// ErrNotWasm is returned for bytes that do not start with the WebAssembly
// magic number and version 1.
var ErrNotWasm = errors.New("wasmsize: not a WebAssembly module (version 1)")

// Parse reads the sections of a module, its function bodies' sizes and
// names, and its active data segments. It checks every length against the
// bytes present and returns an error naming the section and the offset of
// anything malformed.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" || b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, ErrNotWasm
	}
	m := &Module{}
	var names map[int]string
	var bodies []Func
	r := reader{b: b, off: 8}
	for !r.done() {
		head := r.off
		id := r.byte()
		size := r.uleb()
		if r.err != nil {
			return nil, r.err
		}
		start := r.off
		if size > uint64(len(b)-start) {
			return nil, fmt.Errorf("wasmsize: section %d at offset %d: size %d past the end of the module", id, start, size)
		}
		payload := reader{b: b[:start+int(size)], off: start}
		sec := Section{ID: id, Start: head, Offset: start, Size: int(size)}
		if int(id) < len(sectionNames) {
			sec.Name = sectionNames[id]
		} else {
			sec.Name = fmt.Sprintf("unknown-%d", id)
		}
		var err error
		switch id {
		case SectionCustom:
			sec.Name = payload.name()
			if sec.Name == "name" && payload.err == nil {
				names, err = parseNames(&payload)
			}
		case SectionImport:
			m.ImportedFuncs, err = countImportedFuncs(&payload)
		case SectionCode:
			bodies, err = parseCode(&payload)
		case SectionData:
			m.Segments, err = parseData(&payload)
		}
		if err == nil {
			err = payload.err
		}
		if err != nil {
			return nil, fmt.Errorf("wasmsize: %s section at offset %d: %w", sec.Name, start, err)
		}
		m.Sections = append(m.Sections, sec)
		r.off = start + int(size)
	}
	for i := range bodies {
		bodies[i].Index = m.ImportedFuncs + i
		bodies[i].Name = names[bodies[i].Index]
		m.HasNames = m.HasNames || bodies[i].Name != ""
	}
	m.Funcs = bodies
	sort.Slice(m.Segments, func(i, j int) bool { return m.Segments[i].Addr < m.Segments[j].Addr })
	return m, nil
}

// Section returns the first section with the given id (and, for custom
// sections, name), or false.
func (m *Module) Section(id byte, name string) (Section, bool) {
	for _, s := range m.Sections {
		if s.ID == id && (id != SectionCustom || s.Name == name) {
			return s, true
		}
	}
	return Section{}, false
}

// Memory returns the initial memory the active data segments write, from
// address 0 to the end of the last segment.
func (m *Module) Memory() []byte {
	if len(m.Segments) == 0 {
		return nil
	}
	last := m.Segments[len(m.Segments)-1]
	return m.Read(0, int(last.Addr)+len(last.Data))
}

// Read returns n bytes of the initial linear memory at addr: the data
// segments' bytes, zero where no segment writes.
func (m *Module) Read(addr uint64, n int) []byte {
	out := make([]byte, n)
	end := addr + uint64(n)
	i := sort.Search(len(m.Segments), func(i int) bool {
		s := m.Segments[i]
		return s.Addr+uint64(len(s.Data)) > addr
	})
	for ; i < len(m.Segments) && m.Segments[i].Addr < end; i++ {
		s := m.Segments[i]
		lo, hi := max(addr, s.Addr), min(end, s.Addr+uint64(len(s.Data)))
		copy(out[lo-addr:hi-addr], s.Data[lo-s.Addr:hi-s.Addr])
	}
	return out
}

func countImportedFuncs(r *reader) (int, error) {
	n := r.uleb()
	funcs := 0
	for i := uint64(0); i < n && r.err == nil; i++ {
		r.name() // module
		r.name() // field
		switch kind := r.byte(); kind {
		case 0: // function: a type index
			r.uleb()
			funcs++
		case 1: // table: element type and limits
			r.byte()
			r.limits()
		case 2: // memory
			r.limits()
		case 3: // global: value type and mutability
			r.byte()
			r.byte()
		case 4: // tag: attribute and type index
			r.byte()
			r.uleb()
		default:
			return 0, fmt.Errorf("import %d: unknown kind %d", i, kind)
		}
	}
	return funcs, r.err
}

func parseCode(r *reader) ([]Func, error) {
	n := r.uleb()
	if r.err != nil {
		return nil, r.err
	}
	if n > uint64(len(r.b)-r.off) { // each body takes at least one byte
		return nil, fmt.Errorf("%d bodies in %d bytes", n, len(r.b)-r.off)
	}
	funcs := make([]Func, 0, n)
	for i := uint64(0); i < n; i++ {
		size := r.uleb()
		if r.err != nil {
			return nil, r.err
		}
		if size > uint64(len(r.b)-r.off) {
			return nil, fmt.Errorf("body %d at offset %d: size %d past the end of the section", i, r.off, size)
		}
		funcs = append(funcs, Func{Offset: r.off, Size: int(size)})
		r.off += int(size)
	}
	return funcs, nil
}

func parseData(r *reader) ([]Segment, error) {
	n := r.uleb()
	var segs []Segment
	for i := uint64(0); i < n && r.err == nil; i++ {
		begin := r.off
		flags := r.uleb()
		active := true
		switch flags {
		case 0:
		case 1:
			active = false
		case 2:
			r.uleb() // memory index
		default:
			return nil, fmt.Errorf("segment %d: unknown flags %d", i, flags)
		}
		var addr uint64
		if active {
			switch op := r.byte(); op {
			case 0x41, 0x42: // i32.const, i64.const
				v := r.sleb()
				if v < 0 {
					return nil, fmt.Errorf("segment %d: negative address %d", i, v)
				}
				addr = uint64(v)
			default:
				return nil, fmt.Errorf("segment %d: offset expression starts with opcode 0x%02x, want a constant", i, op)
			}
			if end := r.byte(); end != 0x0b && r.err == nil {
				return nil, fmt.Errorf("segment %d: offset expression does not end after its constant", i)
			}
		}
		size := r.uleb()
		if r.err != nil {
			break
		}
		if size > uint64(len(r.b)-r.off) {
			return nil, fmt.Errorf("segment %d at offset %d: size %d past the end of the section", i, r.off, size)
		}
		if active {
			segs = append(segs, Segment{Addr: addr, Header: r.b[begin:r.off], Data: r.b[r.off : r.off+int(size)]})
		}
		r.off += int(size)
	}
	return segs, r.err
}

// parseNames reads the function names (subsection 1) of a name section.
func parseNames(r *reader) (map[int]string, error) {
	names := map[int]string{}
	for !r.done() && r.err == nil {
		id := r.byte()
		size := r.uleb()
		if r.err != nil {
			break
		}
		if size > uint64(len(r.b)-r.off) {
			return nil, fmt.Errorf("name subsection %d: size %d past the end of the section", id, size)
		}
		end := r.off + int(size)
		if id == 1 {
			sub := reader{b: r.b[:end], off: r.off}
			n := sub.uleb()
			for i := uint64(0); i < n && sub.err == nil; i++ {
				idx := sub.uleb()
				name := sub.name()
				if sub.err == nil {
					names[int(idx)] = name
				}
			}
			if sub.err != nil {
				return nil, sub.err
			}
		}
		r.off = end
	}
	return names, r.err
}

// reader reads the binary format's primitives; the first error sticks and
// makes every later read return zero.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) done() bool { return r.err != nil || r.off >= len(r.b) }

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s at offset %d runs past the end", what, r.off)
	}
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail("byte")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	if r.err == nil {
		r.err = fmt.Errorf("LEB128 number at offset %d is too long", r.off)
	}
	return 0
}

func (r *reader) sleb() int64 {
	var v int64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= int64(c&0x7f) << shift
		if c < 0x80 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v
		}
	}
	if r.err == nil {
		r.err = fmt.Errorf("LEB128 number at offset %d is too long", r.off)
	}
	return 0
}

func (r *reader) name() string {
	n := r.uleb()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("name")
		return ""
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

func (r *reader) limits() {
	flags := r.byte()
	r.uleb()
	if flags&1 != 0 {
		r.uleb()
	}
}

// AppendULEB appends v to b as an unsigned LEB128 number, the encoding of
// WebAssembly's sizes, counts and indices.
func AppendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// AppendSLEB appends v to b as a signed LEB128 number, the encoding of
// WebAssembly's constants (a data segment's i32.const address).
func AppendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
