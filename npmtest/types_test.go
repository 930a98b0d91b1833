package npmtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tsc runs the project's pinned TypeScript on file with --strict and the
// module resolution given ("nodenext" as Node resolves, "bundler" as Vite
// and the other bundlers do), type-checking only.
func tsc(resolution, file string) ([]byte, error) {
	module := map[string]string{"nodenext": "nodenext", "bundler": "esnext"}[resolution]
	return command(project, "node", "node_modules/typescript/bin/tsc", "--noEmit", "--strict",
		"--target", "es2022", "--lib", "es2022,dom", "--module", module, "--moduleResolution", resolution, file)
}

// TestTypes checks the package's types with tsc --noEmit --strict: a
// consumer calling every export passes, under Node's resolution and a
// bundler's, and a call with an argument of the wrong type fails on its
// line. Every export of the module is called in the consumer and declared
// in the types, and the types declare nothing the module lacks.
func TestTypes(t *testing.T) {
	need(t)
	for _, res := range []string{"nodenext", "bundler"} {
		if out, err := tsc(res, "consumer.ts"); err != nil {
			t.Errorf("tsc (%s) refused consumer.ts: %v\n%s", res, err, out)
		}
	}
	out, err := tsc("nodenext", "wrong.ts")
	if err == nil {
		t.Fatal("tsc accepted wrong.ts, which calls loadModel with a string")
	}
	src, _ := os.ReadFile(filepath.Join(project, "wrong.ts"))
	line := 1 + slices.IndexFunc(strings.Split(string(src), "\n"), func(l string) bool { return strings.Contains(l, "// wrong:") })
	if want := "wrong.ts(" + strconv.Itoa(line) + ","; !strings.Contains(string(out), want) || !strings.Contains(string(out), "TS2345") {
		t.Errorf("tsc on wrong.ts said %q, want error TS2345 at %s…)", out, want)
	}

	names, err := command(project, "node", "--input-type=module", "-e", `import("wasmcnn").then((m) => console.log(JSON.stringify(Object.keys(m))))`)
	if err != nil {
		t.Fatal(err)
	}
	var exports []string
	if err := json.Unmarshal(names, &exports); err != nil {
		t.Fatal(err)
	}
	consumer, _ := os.ReadFile(filepath.Join(project, "consumer.ts"))
	types, err := os.ReadFile(filepath.Join(pkgDir, "wasmcnn.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^export (?:declare )?(?:function|let|const|class) (\w+)`).FindAllSubmatch(types, -1) {
		declared[string(m[1])] = true
	}
	if regexp.MustCompile(`(?m)^export default \w+;`).Match(types) {
		declared["default"] = true
	}
	for _, name := range exports {
		if !declared[name] {
			t.Errorf("export %s has no type in wasmcnn.d.ts", name)
		}
		if name != "default" && !regexp.MustCompile(`\b`+name+`\b`).Match(consumer) {
			t.Errorf("consumer.ts does not use the export %s", name)
		}
		delete(declared, name)
	}
	for name := range declared {
		t.Errorf("wasmcnn.d.ts declares %s, which the module does not export", name)
	}
	t.Logf("%d exports, each typed and used by consumer.ts", len(exports))
}
