package site

import (
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

func init() {
	// instantiateStreaming requires application/wasm.
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".mjs", "text/javascript")
	_ = mime.AddExtensionType(".onnx", "application/octet-stream")
	_ = mime.AddExtensionType(".webmanifest", "application/manifest+json")
}

// HandlerOptions configure [Handler].
type HandlerOptions struct {
	// Isolated adds the headers that make the page cross-origin isolated
	// (COOP and COEP), which SharedArrayBuffer and threads need.
	Isolated bool
	// Uncompressed serves every file as it is, ignoring the precompressed
	// copies: the bench does, so that every runtime's files arrive alike.
	Uncompressed bool
}

// Handler serves a built site: each file with its MIME type, the .br or
// .gz beside it when the client accepts that encoding, and caching that
// revalidates (the service worker keeps the offline copy).
func Handler(dir string, opts HandlerOptions) http.Handler {
	root := http.Dir(dir)
	files := http.FileServer(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if opts.Isolated {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		}
		h.Add("Vary", "Accept-Encoding")
		if !opts.Uncompressed && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			p := path.Clean("/" + r.URL.Path)
			if strings.HasSuffix(r.URL.Path, "/") {
				p = path.Join(p, "index.html")
			}
			ae := r.Header.Get("Accept-Encoding")
			for _, enc := range []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
				if !accepts(ae, enc.name) {
					continue
				}
				f, err := root.Open(p + enc.ext)
				if err != nil {
					continue
				}
				st, err := f.Stat()
				if err != nil || st.IsDir() {
					f.Close()
					continue
				}
				ctype := mime.TypeByExtension(path.Ext(p))
				if ctype == "" {
					ctype = "application/octet-stream"
				}
				h.Set("Content-Type", ctype)
				h.Set("Content-Encoding", enc.name)
				http.ServeContent(w, r, p, st.ModTime(), f)
				f.Close()
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// accepts reports whether an Accept-Encoding header allows enc: listed,
// and not with q=0.
func accepts(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if k == "q" {
				if q, err := strconv.ParseFloat(v, 64); err == nil && q == 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}
