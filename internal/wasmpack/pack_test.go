package wasmpack

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/internal/wasmsize"
)

// module assembles a module with a memory and the given data payload.
func module(data []byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, wasmsize.SectionMemory, 3, 1, 0, 1)
	b = append(b, wasmsize.SectionData)
	b = wasmsize.AppendULEB(b, uint64(len(data)))
	b = append(b, data...)
	return append(b, 0, 4, 3, 'x', 'y', 'z') // a custom section after it
}

func active(addr int64, data ...byte) []byte {
	b := wasmsize.AppendSLEB([]byte{0, 0x41}, addr)
	b = append(b, 0x0b)
	return append(wasmsize.AppendULEB(b, uint64(len(data))), data...)
}

func segments(parts ...[]byte) []byte {
	b := wasmsize.AppendULEB(nil, uint64(len(parts)))
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestPackJoinsAcrossShortGaps(t *testing.T) {
	// Out of address order, as Go's linker writes them: 100..102, a gap of
	// 3 zeros, 106..107, a gap of 10, 118, then 2 far away.
	in := module(segments(active(118, 7), active(100, 1, 2, 3), active(2, 9), active(106, 4, 5)))
	out, err := Pack(in, 4)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasmsize.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Segments) != 3 || m.Segments[0].Addr != 2 || m.Segments[1].Addr != 100 || !bytes.Equal(m.Segments[1].Data, []byte{1, 2, 3, 0, 0, 0, 4, 5}) || m.Segments[2].Addr != 118 {
		t.Errorf("segments %+v", m.Segments)
	}
	mi, _ := wasmsize.Parse(in)
	if !bytes.Equal(m.Memory(), mi.Memory()) {
		t.Error("the initial memory changed")
	}
	if !bytes.HasSuffix(out, []byte{0, 4, 3, 'x', 'y', 'z'}) || !bytes.HasPrefix(out, in[:13]) {
		t.Error("the other sections changed")
	}
	// Nothing to join: the module comes back as it was.
	if same, err := Pack(in, 2); err != nil || !bytes.Equal(same, in) {
		t.Errorf("gap 2: %v, changed %v", err, !bytes.Equal(same, in))
	}
}

func TestPackRefuses(t *testing.T) {
	for _, c := range []struct {
		desc string
		b    []byte
		want string
	}{
		{"overlap", module(segments(active(10, 1, 2, 3), active(12, 4))), "overlap"},
		{"passive", module(segments(active(10, 1), []byte{1, 1, 5})), "passive"},
		{"not wasm", []byte("nope"), "not a WebAssembly module"},
	} {
		if _, err := Pack(c.b, MaxGap); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.desc, err, c.want)
		}
	}
}

// TestPackedGoProgramRuns packs a real Go program and runs it under Node:
// same memory image, same output, far fewer segments.
func TestPackedGoProgramRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program and runs Node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node")
	}
	dir := t.TempDir()
	orig := filepath.Join(dir, "hello.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", orig, "../wasmsize/testdata/hello")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	b, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	packed, err := Pack(b, MaxGap)
	if err != nil {
		t.Fatal(err)
	}
	mo, _ := wasmsize.Parse(b)
	mp, err := wasmsize.Parse(packed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mo.Memory(), mp.Memory()) {
		t.Fatal("the initial memory changed")
	}
	if len(mp.Segments)*20 > len(mo.Segments) {
		t.Errorf("%d segments packed into %d", len(mo.Segments), len(mp.Segments))
	}
	for i, s := range mo.Sections {
		if s.ID != wasmsize.SectionData && !bytes.Equal(b[s.Offset:s.Offset+s.Size], packed[mp.Sections[i].Offset:mp.Sections[i].Offset+mp.Sections[i].Size]) {
			t.Errorf("section %s changed", s.Name)
		}
	}
	p := filepath.Join(dir, "packed.wasm")
	os.WriteFile(p, packed, 0o644)
	goroot, _ := exec.Command("go", "env", "GOROOT").Output()
	runner := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec_node.js")
	for _, f := range []string{orig, p} {
		out, err := exec.Command(node, runner, f).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "5" {
			t.Errorf("%s: %v, output %q, want 5", filepath.Base(f), err, out)
		}
	}
}
