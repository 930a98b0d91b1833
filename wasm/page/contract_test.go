package page

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sources returns the browser code the contract covers, by path relative
// to the repository root: the Go of wasm/ (tests aside) and the page's
// scripts and pages in web/.
func browserSources(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	out := map[string]string{}
	for _, dir := range []string{"wasm", "web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			name := d.Name()
			code := strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && dir == "wasm" ||
				(strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".html")) && dir == "web"
			if !code {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			out[filepath.ToSlash(rel)] = string(b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d source files", len(out))
	}
	return out
}

// TestOneDOMLayer holds the browser Go to the page's one DOM layer: only
// dom_js.go finds, makes and listens to elements or asks for a canvas's
// context, and no build tag chooses what a build holds (its main's imports
// do).
func TestOneDOMLayer(t *testing.T) {
	calls := regexp.MustCompile(`"(getElementById|createElement|addEventListener|getContext|querySelectorAll)"`)
	for path, src := range browserSources(t) {
		if !strings.HasSuffix(path, ".go") {
			continue
		}
		if path != "wasm/page/dom_js.go" {
			for _, m := range calls.FindAllString(src, -1) {
				t.Errorf("%s calls %s: only the DOM layer, wasm/page/dom_js.go, may", path, m)
			}
		}
		if strings.Contains(src, "apionly") || strings.Contains(src, "//go:build train") {
			t.Errorf("%s chooses a build by tag", path)
		}
	}
}

// TestWrittenOnce checks that each thing the page's Go and JavaScript
// share is written in one place: the colour maps' stops (colors.go; the
// panel asks wasmcnnPage.colors), the pixel-scale labels (wasm/adapt; own.js
// asks wasmcnnPage.scales), the normalisations' labels (wasm/adapt;
// picture.js asks wasmcnnPage.norms), the URL of ImageNet's class names
// (fetched by the Go side only), the shipped model's URL (index.html's
// link#shipped-model; Go reads it, teach.js asks wasmcnnPage.shipped) and
// the rules of teaching's measure (teach.go; teach.js asks heldOut and
// countRight).
func TestWrittenOnce(t *testing.T) {
	src := browserSources(t)
	for _, c := range []struct {
		what, home string
		pattern    string
	}{
		{"a colour stop of the ramp", "wasm/page/colors.go", `235,\s*100,\s*60|252,\s*240,\s*150|150,\s*40,\s*130`},
		{"a colour stop of the diverging map", "wasm/page/colors.go", `16,\s*114,\s*235|252,\s*144,\s*40|215\s*\*\s*t|240\s*\*\s*t`},
		{"a pixel-scale label", "wasm/adapt/adapt.go", `0\.\.255|−1\.\.1|MNIST-normalised|"0\.\.1"`},
		{"the shipped model's URL", "web/index.html", `digits\.onnx`},
		{"the held-out split", "wasm/page/teach.go", `/\s*4\b|\(c\[e\.label\]`},
		{"a normalisation's label", "wasm/adapt/norm.go", `"ImageNet mean/std"|"the model's own"`},
		{"ImageNet's class names' URL", "wasm/page/own_js.go", `imagenet-classes\.txt`},
	} {
		re := regexp.MustCompile(c.pattern)
		if !re.MatchString(src[c.home]) {
			t.Errorf("%s: its home %s does not hold it (%s)", c.what, c.home, c.pattern)
		}
		for path, s := range src {
			if path == c.home {
				continue
			}
			for _, m := range re.FindAllString(s, -1) {
				if c.what == "the held-out split" && !strings.Contains(path, "teach") {
					continue // a quarter is a common number; only teaching's files must not split
				}
				t.Errorf("%s is written again in %s: %q", c.what, path, m)
			}
		}
	}
	if n := strings.Count(src["web/index.html"], "digits.onnx"); n != 1 {
		t.Errorf("index.html names the shipped model %d times, want once (link#shipped-model)", n)
	}
}
