package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"wasmcnn/internal/site"
	"wasmcnn/internal/wasmsize"
	"wasmcnn/internal/workerd"
)

// sizeTarget is one WebAssembly file the size command measures.
type sizeTarget struct {
	Name, File, Package, Tags string
}

// sizeTargets are the shipped WebAssembly files: the page and the library
// as the site builds them, and the worker's app.wasm as its bundle does.
func sizeTargets() []sizeTarget {
	var ts []sizeTarget
	for _, b := range site.WasmBuilds {
		ts = append(ts, sizeTarget{b.Name, b.File, b.Package, ""})
	}
	return append(ts, sizeTarget{"worker", "app.wasm", workerd.AppPackage, ""})
}

// sizeReport is what the size command writes with -json.
type sizeReport struct {
	Go          string     `json:"go,omitempty"` // the toolchain that built the files, when the command built them
	BrotliLevel int        `json:"brotli_level"`
	Files       []sizeFile `json:"files"`
}

// sizeFile is one measured file.
type sizeFile struct {
	Name string `json:"name"`
	File string `json:"file"`
	// NamesChecked says that an unstripped build of the same code was
	// measured too and its name section agreed, function by function,
	// with the runtime's table the package sizes are read from.
	NamesChecked bool `json:"names_checked"`
	*wasmsize.Report
}

// runSize builds the page, the library and the worker as they ship (or
// takes the files given) and prints their sizes, raw, gzip -9 and brotli,
// the code and data sections, and the code per Go package.
func runSize(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("size", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.String("json", "", "also write the report as JSON to this `file` (- for standard output, instead of the tables)")
	base := fs.String("base", "", "compare with an earlier -json `file`: print the change of each figure")
	rows := fs.Int("packages", 25, "packages to list in the code table (0: all)")
	level := fs.Int("brotli", 11, "brotli `level` (0–11)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wasmcnn size [flags] [file.wasm ...]\n\nWithout files it builds main.wasm, lib/wasmcnn.wasm, lib/wasmcnn-train.wasm and the\nworker's app.wasm as the site and the worker bundle do (and unstripped twins to check the function names).\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *level < 0 || *level > 11 {
		return fmt.Errorf("-brotli %d: want a level from 0 to 11", *level)
	}
	var prev *sizeReport
	if *base != "" {
		b, err := os.ReadFile(*base)
		if err != nil {
			return err
		}
		prev = new(sizeReport)
		if err := json.Unmarshal(b, prev); err != nil {
			return fmt.Errorf("-base %s: %w", *base, err)
		}
	}
	rep := &sizeReport{BrotliLevel: *level}
	var err error
	if fs.NArg() > 0 {
		rep.Files, err = measureFiles(fs.Args(), *level)
	} else {
		fmt.Fprintln(stderr, "building main.wasm, lib/wasmcnn.wasm, lib/wasmcnn-train.wasm and app.wasm…")
		rep.Go, rep.Files, err = buildAndMeasure(*level)
	}
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		b = append(b, '\n')
		if *jsonOut == "-" {
			_, err := stdout.Write(b)
			return err
		}
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	printSizes(stdout, rep, prev, *rows)
	return nil
}

// measureFiles measures files given on the command line, as they are.
func measureFiles(paths []string, level int) ([]sizeFile, error) {
	out := make([]sizeFile, len(paths))
	err := forEach(len(paths), func(i int) error {
		b, err := os.ReadFile(paths[i])
		if err != nil {
			return err
		}
		r, err := wasmsize.Measure(b, sizeOptions(level))
		if err != nil {
			return fmt.Errorf("%s: %w", paths[i], err)
		}
		out[i] = sizeFile{Name: filepath.Base(paths[i]), File: paths[i], Report: r}
		return nil
	})
	return out, err
}

// buildAndMeasure builds every target stripped, as it ships, and with its
// name section, and measures the first; the second must agree with it.
func buildAndMeasure(level int) (string, []sizeFile, error) {
	root, err := site.Root()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "wasmcnn-size-")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(dir)
	ts := sizeTargets()
	out := make([]sizeFile, len(ts))
	// One build at a time (the Go command runs its own jobs in parallel),
	// then the compression, the slow part, of every file at once.
	for i, t := range ts {
		for _, names := range []bool{false, true} {
			p := filepath.Join(dir, fmt.Sprintf("%d-%v.wasm", i, names))
			if err := site.GoBuildWasm(root, t.Package, t.Tags, p, names); err != nil {
				return "", nil, fmt.Errorf("%s: %w", t.File, err)
			}
		}
	}
	err = forEach(len(ts), func(i int) error {
		t := ts[i]
		shipped, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d-false.wasm", i)))
		if err != nil {
			return err
		}
		named, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d-true.wasm", i)))
		if err != nil {
			return err
		}
		r, err := wasmsize.Measure(shipped, sizeOptions(level))
		if err != nil {
			return fmt.Errorf("%s: %w", t.File, err)
		}
		// The unstripped twin: Measure checks its name section against the
		// runtime's table; its code must be the shipped code.
		nr, err := wasmsize.Measure(named, wasmsize.Options{Gzip: func([]byte) []byte { return nil }, Brotli: func([]byte) []byte { return nil }})
		if err != nil {
			return fmt.Errorf("%s with names: %w", t.File, err)
		}
		if !nr.NameSection || nr.Code != r.Code || !slices.EqualFunc(nr.Packages, r.Packages, sameCode) {
			return fmt.Errorf("%s: the build with names differs from the shipped one (code %d vs %d bytes)", t.File, nr.Code, r.Code)
		}
		out[i] = sizeFile{Name: t.Name, File: t.File, NamesChecked: true, Report: r}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	v, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "", nil, err
	}
	return strings.TrimSpace(string(v)), out, nil
}

func sizeOptions(level int) wasmsize.Options {
	return wasmsize.Options{Gzip: site.Gzip, Brotli: func(b []byte) []byte { return site.Brotli(b, level) }}
}

// forEach runs f(0..n-1) concurrently and returns the first error.
func forEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// printSizes prints the summary, the code per package and the data
// section by region, with the change from prev where it names the same
// file.
func printSizes(w io.Writer, rep *sizeReport, prev *sizeReport, rows int) {
	files := rep.Files
	old := make([]*sizeFile, len(files))
	if prev != nil {
		for i, f := range files {
			for j := range prev.Files {
				if prev.Files[j].Name == f.Name && prev.Files[j].Report != nil {
					old[i] = &prev.Files[j]
				}
			}
		}
	}
	tw := &table{}
	head := []string{""}
	for _, f := range files {
		head = append(head, f.Name+" "+f.File)
	}
	tw.row(head...)
	line := func(label string, get func(*wasmsize.Report) int, kb bool) {
		cells := []string{label}
		for i, f := range files {
			v := get(f.Report)
			c := num(v, kb)
			if old[i] != nil {
				c += " (" + signed(v-get(old[i].Report), kb) + ")"
			}
			cells = append(cells, c)
		}
		tw.row(cells...)
	}
	line("raw", func(r *wasmsize.Report) int { return r.Raw }, true)
	line("gzip -9", func(r *wasmsize.Report) int { return r.Gzip }, true)
	line(fmt.Sprintf("brotli -q %d", rep.BrotliLevel), func(r *wasmsize.Report) int { return r.Brotli }, true)
	line("code section", func(r *wasmsize.Report) int { return r.Code }, true)
	line("  alone, gzip -9", func(r *wasmsize.Report) int { return r.CodeGzip }, true)
	line("data section", func(r *wasmsize.Report) int { return r.Data }, true)
	line("  alone, gzip -9", func(r *wasmsize.Report) int { return r.DataGzip }, true)
	line("functions", func(r *wasmsize.Report) int { return r.Funcs }, false)
	line("data segments", func(r *wasmsize.Report) int { return r.Segments }, false)
	fmt.Fprintf(w, "WebAssembly sizes in kB (1000 bytes)%s\n\n", map[bool]string{true: ", built with " + rep.Go}[rep.Go != ""])
	tw.write(w)

	// Code per package: the union of every file's largest packages.
	var names []string
	seen := map[string]bool{}
	for _, f := range files {
		for i, p := range f.Packages {
			if (rows <= 0 || i < rows) && !seen[p.Path] {
				seen[p.Path] = true
				names = append(names, p.Path)
			}
		}
	}
	if len(names) > 0 {
		fmt.Fprintln(w, "\ncode per Go package, kB of function bodies (functions)")
		tw = &table{}
		tw.row(append([]string{"package"}, fileNames(files)...)...)
		for _, n := range names {
			cells := []string{n}
			for i, f := range files {
				p, ok := findPackage(f.Packages, n)
				c := "–"
				if ok {
					c = num(p.Code, true) + " (" + num(p.Funcs, false) + ")"
				}
				if old[i] != nil {
					if q, _ := findPackage(old[i].Packages, n); q.Code != p.Code {
						c += " " + signed(p.Code-q.Code, true)
					}
				}
				cells = append(cells, c)
			}
			tw.row(cells...)
		}
		tw.write(w)
	}

	if len(files) > 0 && len(files[0].Regions) > 0 {
		fmt.Fprintln(w, "\ndata section by region, kB in the file (gzip -9 of that alone)")
		tw = &table{}
		tw.row(append([]string{"region"}, fileNames(files)...)...)
		for _, reg := range files[0].Regions {
			cells := []string{reg.Name}
			for _, f := range files {
				c := "–"
				for _, r := range f.Regions {
					if r.Name == reg.Name {
						c = num(r.File, true) + " (" + num(r.Gzip, true) + ")"
					}
				}
				cells = append(cells, c)
			}
			tw.row(cells...)
		}
		tw.write(w)
	}
}

func fileNames(files []sizeFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

func findPackage(ps []wasmsize.Package, path string) (wasmsize.Package, bool) {
	for _, p := range ps {
		if p.Path == path {
			return p, true
		}
	}
	return wasmsize.Package{}, false
}

// num formats a count, or bytes as kB with one decimal.
func num(v int, kb bool) string {
	if kb {
		return fmt.Sprintf("%.1f", float64(v)/1000)
	}
	return fmt.Sprint(v)
}

func signed(v int, kb bool) string {
	s := num(v, kb)
	if v >= 0 {
		s = "+" + s
	}
	return s
}

// table lays out rows in columns: the first left-aligned, the rest right.
type table struct{ rows [][]string }

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b bytes.Buffer
	for _, r := range t.rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
	w.Write(b.Bytes())
}

// sameCode reports whether two measures of a package found the same code,
// whatever compression each measured.
func sameCode(a, b wasmsize.Package) bool {
	return a.Path == b.Path && a.Funcs == b.Funcs && a.Code == b.Code
}
