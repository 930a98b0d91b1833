// Package docs holds wasmcnn's reference documentation; its test checks
// the documents: the README stays short, and every relative link in it and
// in docs/ leads somewhere.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// maxReadmeLines keeps the README a five-minute read: reference material
// belongs in docs/.
const maxReadmeLines = 200

// link is a Markdown link or image: [text](target) or ![alt](target).
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// documents returns the Markdown files the test checks, by path.
func documents(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("..", "README.md"))
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	if len(out) < 5 {
		t.Fatalf("found %d documents", len(out))
	}
	return out
}

// prose returns the lines of a Markdown document outside fenced code.
func prose(doc string) []string {
	var out []string
	fenced := false
	for _, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, l)
		}
	}
	return out
}

// anchors returns the anchors of a document's headings, as GitHub makes
// them: lower case, punctuation dropped, spaces as hyphens, a number after
// a repeated one.
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	for _, l := range prose(doc) {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		a := b.String()
		for n, base := 1, a; out[a]; n++ {
			a = base + "-" + string(rune('0'+n))
		}
		out[a] = true
	}
	return out
}

// TestReadmeLength keeps the README under maxReadmeLines lines.
func TestReadmeLength(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, more than %d: move reference material to docs/", n, maxReadmeLines)
	}
}

// TestLinks follows every relative link of the README and docs/: the file
// must exist and, for a link to a heading, the heading too.
func TestLinks(t *testing.T) {
	docs := documents(t)
	checked := 0
	for path, doc := range docs {
		for _, l := range prose(doc) {
			for _, m := range link.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				file, anchor, _ := strings.Cut(target, "#")
				dest := path
				if file != "" {
					dest = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s links to %s, which does not exist", path, target)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				text, ok := docs[dest]
				if !ok {
					b, err := os.ReadFile(dest)
					if err != nil {
						t.Errorf("%s links to %s: %v", path, target, err)
						continue
					}
					text = string(b)
				}
				if !anchors(text)[anchor] {
					t.Errorf("%s links to %s: %s has no heading #%s", path, target, dest, anchor)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d links checked", checked)
	}
}
