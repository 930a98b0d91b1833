package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Manifest is the build-generated list of the site's files, written as
// assets.json and built into the service worker: a deploy is identified by
// Version, a hash over every file, and the worker caches exactly Files.
type Manifest struct {
	Version string           `json:"version"`
	Files   map[string]Asset `json:"files"`
}

// Asset is one file of the site.
type Asset struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Gzip   int64  `json:"gzip,omitempty"`   // size of the precompressed .gz, if any
	Brotli int64  `json:"brotli,omitempty"` // size of the precompressed .br, if any
}

// compressible lists the extensions worth precompressing.
var compressible = map[string]bool{".html": true, ".txt": true, ".js": true, ".mjs": true, ".css": true, ".wasm": true, ".onnx": true, ".json": true, ".webmanifest": true, ".svg": true}

// generated names files the build writes for the server and the worker
// rather than for the page.
func generated(rel string) bool {
	return rel == "sw.js" || rel == "assets.json" || strings.HasSuffix(rel, ".gz") || strings.HasSuffix(rel, ".br")
}

// Finish hashes the files of a site directory whose sw.js is still the
// template from web/, writes the service worker and assets.json, and
// precompresses what compresses. [Build] ends with it; tests call it after
// changing a built site to make a new deploy.
func Finish(out string) (*Manifest, error) {
	m := &Manifest{Files: map[string]Asset{}}
	var names []string
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		rel = filepath.ToSlash(rel)
		if generated(rel) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m.Files[rel] = Asset{Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
		names = append(names, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + " " + m.Files[n].SHA256 + "\n"))
	}
	m.Version = hex.EncodeToString(h.Sum(nil))[:16]

	// The worker: the template from web/ with this build's version and files.
	sw, err := os.ReadFile(filepath.Join(out, "sw.js"))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(sw, []byte("__VERSION__")) || !bytes.Contains(sw, []byte("__ASSETS__")) {
		return nil, errors.New("site: sw.js is not the template from web/ (no __VERSION__ or __ASSETS__ to fill in)")
	}
	list := []string{"./"}
	var lazy []string
	for _, n := range names {
		// The library build is for other pages using the API: the drawing
		// page never loads it, so its visitors do not download it either.
		// What the page loads only to learn is cached once it is fetched.
		switch {
		case slices.Contains(LazyFiles, n):
			lazy = append(lazy, n)
		case !strings.HasPrefix(n, LibDir+"/"):
			list = append(list, n)
		}
	}
	lj, _ := json.Marshal(list)
	lz, _ := json.Marshal(append([]string{}, lazy...))
	sw = bytes.Replace(sw, []byte("__VERSION__"), []byte(m.Version), 1)
	sw = bytes.Replace(sw, []byte("__ASSETS__"), lj, 1)
	sw = bytes.Replace(sw, []byte("__LAZY__"), lz, 1)
	if err := os.WriteFile(filepath.Join(out, "sw.js"), sw, 0o644); err != nil {
		return nil, err
	}
	// Brotli at its best level takes seconds per megabyte: the files are
	// compressed on every core at once.
	var todo []string
	for _, n := range append(names, "sw.js") {
		if compressible[filepath.Ext(n)] {
			todo = append(todo, n)
		}
	}
	sizes := make([][2]int64, len(todo))
	errs := make([]error, len(todo))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sizes[i][0], sizes[i][1], errs[i] = precompress(filepath.Join(out, filepath.FromSlash(todo[i])))
			}
		}()
	}
	// The largest files first, so that no core is left with one at the end.
	order := make([]int, len(todo))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return m.Files[todo[order[a]]].Size > m.Files[todo[order[b]]].Size })
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, n := range todo {
		if a, ok := m.Files[n]; ok {
			a.Gzip, a.Brotli = sizes[i][0], sizes[i][1]
			m.Files[n] = a
		}
	}
	mj, _ := json.MarshalIndent(m, "", "  ")
	return m, os.WriteFile(filepath.Join(out, "assets.json"), append(mj, '\n'), 0o644)
}

// Gzip returns b compressed with gzip -9, the measure of download sizes
// throughout (the site, the bench, the worker bundle).
func Gzip(b []byte) []byte {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(b)
	zw.Close() // writing to memory cannot fail
	return gz.Bytes()
}

// Brotli returns b compressed with brotli at level (0–11).
func Brotli(b []byte, level int) []byte {
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, level)
	bw.Write(b)
	bw.Close() // writing to memory cannot fail
	return br.Bytes()
}

// precompress writes path.gz (gzip -9) and path.br (brotli -q 11) beside path,
// unless compression does not make the file smaller.
func precompress(path string) (gzSize, brSize int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	gz := Gzip(b)
	br := bytes.NewBuffer(Brotli(b, brotli.BestCompression))
	if len(gz) < len(b) {
		if err := os.WriteFile(path+".gz", gz, 0o644); err != nil {
			return 0, 0, err
		}
		gzSize = int64(len(gz))
	}
	if br.Len() < len(b) {
		if err := os.WriteFile(path+".br", br.Bytes(), 0o644); err != nil {
			return 0, 0, err
		}
		brSize = int64(br.Len())
	}
	return gzSize, brSize, nil
}
