package main

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"wasmcnn/internal/site"
)

// benchFile is one file a bench page fetches: its size raw, gzip -9 and
// brotli -q 11, and the brotli bytes the first-visit server sends.
type benchFile struct {
	Raw, Gzip int
	Brotli    []byte
}

// benchFiles finds and compresses the files the bench pages fetch: the
// built site's, and the peers' in node_modules under /vendor/. Brotli at
// level 11 takes a few seconds per megabyte (ONNX Runtime Web's 13.6 MB
// wasm: about half a minute), so the compressed bytes are cached on disk,
// by content, in cacheDir.
type benchFiles struct {
	siteDir, root, cacheDir string

	mu    sync.Mutex
	files map[string]*benchFile // by URL path without the leading slash
}

// diskPath returns where the file served as urlPath is.
func (b *benchFiles) diskPath(urlPath string) string {
	if rest, ok := strings.CutPrefix(urlPath, "vendor/"); ok {
		name, file, _ := strings.Cut(rest, "/")
		if d, ok := vendorDirs[name]; ok {
			return filepath.Join(b.root, d, filepath.FromSlash(file))
		}
	}
	return filepath.Join(b.siteDir, filepath.FromSlash(urlPath))
}

// get returns the file served as urlPath, compressing it on first use.
func (b *benchFiles) get(urlPath string) (*benchFile, error) {
	b.mu.Lock()
	f := b.files[urlPath]
	b.mu.Unlock()
	if f != nil {
		return f, nil
	}
	raw, err := os.ReadFile(b.diskPath(urlPath))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	cached := filepath.Join(b.cacheDir, hex.EncodeToString(sum[:])+".br")
	br, err := os.ReadFile(cached)
	if err != nil {
		br = site.Brotli(raw, 11)
		if os.MkdirAll(b.cacheDir, 0o755) == nil {
			os.WriteFile(cached, br, 0o644) // a cache: a failed write costs time later, nothing else
		}
	}
	f = &benchFile{Raw: len(raw), Gzip: len(site.Gzip(raw)), Brotli: br}
	b.mu.Lock()
	if b.files == nil {
		b.files = map[string]*benchFile{}
	}
	b.files[urlPath] = f
	b.mu.Unlock()
	return f, nil
}

// prepare compresses every file in paths, on every core.
func (b *benchFiles) prepare(paths []string) error {
	return forEach(len(paths), func(i int) error {
		_, err := b.get(paths[i])
		return err
	})
}

// kib returns the total gzip -9 and brotli sizes of files in KiB, or −1
// for both if one of them is missing.
func (b *benchFiles) kib(files []string) (gz, br float64) {
	var g, r int
	for _, name := range files {
		f, err := b.get(name)
		if err != nil {
			return -1, -1
		}
		g += f.Gzip
		r += len(f.Brotli)
	}
	return float64(g) / 1024, float64(r) / 1024
}

// firstVisitHandler serves every file brotli-compressed, as a static host
// serving precompressed files does, to clients that accept it; anything
// else comes from next.
func (b *benchFiles) firstVisitHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" || !strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			next.ServeHTTP(w, r)
			return
		}
		f, err := b.get(name)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Encoding", "br")
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(f.Brotli)
	})
}
