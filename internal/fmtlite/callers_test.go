package fmtlite

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCallers type-checks every package of the module that uses fmtlite,
// natively and for GOOS=js, and checks each call of a formatting function
// (fmtlite's, and any function whose last parameters are "format string,
// args ...any"): every operand has a type fmtlite formats as fmt does,
// and, for constant formats, every verb fits its operand and the counts
// match. This is what go vet's printf check does for fmt, which cannot be
// told that fmtlite.Errorf accepts %w.
func TestCallers(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the module")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		var users []string
		for _, p := range goList(t, root, env, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...") {
			fields := strings.Fields(p)
			if len(fields) > 0 && slices.Contains(fields[1:], "wasmcnn/internal/fmtlite") {
				users = append(users, fields[0])
			}
		}
		if len(users) == 0 {
			continue
		}
		pkgs := listExport(t, root, env, users)
		for _, path := range users {
			checkPackage(t, pkgs, pkgs[path], strings.Join(env, " "))
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no package of the module uses fmtlite")
	}
}

type listedPackage struct {
	ImportPath, Dir, Export string
	GoFiles                 []string
}

func goList(t *testing.T, root string, env []string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// listExport returns the packages and their dependencies with compiled
// export data, by import path.
func listExport(t *testing.T, root string, env []string, paths []string) map[string]*listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles"}, paths...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	pkgs := map[string]*listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

func checkPackage(t *testing.T, pkgs map[string]*listedPackage, p *listedPackage, env string) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if q := pkgs[path]; q != nil && q.Export != "" {
			return os.Open(q.Export)
		}
		return nil, os.ErrNotExist
	})
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	if _, err := (&types.Config{Importer: imp}).Check(p.ImportPath, fset, files, info); err != nil {
		t.Fatalf("%s (%s): %v", p.ImportPath, env, err)
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true // a wrapper forwarding args... is checked at its own callers
			}
			sig, _ := info.Types[call.Fun].Type.(*types.Signature)
			first, ok := formatParam(sig)
			if !ok || len(call.Args) <= first {
				return true
			}
			if msg := checkCall(info, call, first); msg != "" {
				t.Errorf("%s: %s", fset.Position(call.Pos()), msg)
			}
			return true
		})
	}
}

// formatParam reports whether sig ends in (format string, args ...any)
// and returns the index of the format parameter.
func formatParam(sig *types.Signature) (int, bool) {
	if sig == nil || !sig.Variadic() || sig.Params().Len() < 2 {
		return 0, false
	}
	n := sig.Params().Len()
	format, args := sig.Params().At(n-2), sig.Params().At(n-1)
	s, ok := args.Type().(*types.Slice)
	if format.Name() != "format" || !types.Identical(format.Type(), types.Typ[types.String]) || !ok {
		return 0, false
	}
	if iface, ok := s.Elem().Underlying().(*types.Interface); !ok || !iface.Empty() {
		return 0, false
	}
	return n - 2, true
}

var (
	stringerType = types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, "String", types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String])), false))}, nil).Complete()
	errorType    = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
)

// class is what fmtlite makes of an operand's static type: "" when it
// cannot format it as fmt does.
func class(t types.Type) string {
	if t == nil {
		return ""
	}
	if types.Implements(t, errorType) {
		return "text"
	}
	if types.Implements(t, stringerType) {
		return "text"
	}
	switch u := types.Unalias(t).(type) {
	case *types.Basic:
		switch {
		case u.Kind() == types.UntypedNil:
			return "nil"
		case u.Info()&types.IsString != 0:
			return "string"
		case u.Info()&types.IsBoolean != 0:
			return "bool"
		case u.Info()&types.IsInteger != 0:
			return "int"
		case u.Info()&types.IsFloat != 0:
			return "float"
		}
	case *types.Slice:
		if inner, ok := types.Unalias(u.Elem()).(*types.Slice); ok && types.Identical(inner.Elem(), types.Typ[types.Int]) {
			return "[]int" // [][]int
		}
		if e, ok := types.Unalias(u.Elem()).(*types.Basic); ok {
			switch e.Kind() {
			case types.Int, types.Int32, types.Int64, types.Uint64, types.Uint8:
				return "[]int"
			case types.Float32, types.Float64:
				return "[]float"
			case types.String:
				return "[]string"
			}
		}
	}
	return ""
}

// fits reports whether a verb fits an operand class as fmt would print it.
func fits(verb rune, c string) bool {
	switch verb {
	case 'v':
		return true
	case 'w':
		return c == "text" || c == "nil"
	case 'd', 'x', 'c':
		return c == "int" || c == "[]int" || verb == 'x' && c == "string"
	case 's', 'q':
		return c == "string" || c == "text" || c == "[]string" || verb == 'q' && c == "int"
	case 'g', 'f', 'e':
		return c == "float" || c == "[]float"
	case 't':
		return c == "bool"
	}
	return false
}

func checkCall(info *types.Info, call *ast.CallExpr, first int) string {
	args := call.Args[first+1:]
	classes := make([]string, len(args))
	for i, a := range args {
		tv := info.Types[a]
		t := tv.Type
		if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 && b.Kind() != types.UntypedNil {
			t = types.Default(t)
		}
		if classes[i] = class(t); classes[i] == "" {
			return "operand " + types.ExprString(a) + " of type " + tv.Type.String() + " is not one fmtlite formats as fmt does (convert it, or give it a String method)"
		}
	}
	tv := info.Types[call.Args[first]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return "" // a format built at run time: only the operands can be checked
	}
	format := constant.StringVal(tv.Value)
	verbs := formatVerbs(format)
	if len(verbs) != len(args) {
		return "format " + quote(format) + " has " + itoa(len(verbs)) + " verbs for " + itoa(len(args)) + " operands"
	}
	for i, v := range verbs {
		if !fits(v, classes[i]) {
			return "verb %" + string(v) + " of " + quote(format) + " does not fit operand " + types.ExprString(args[i]) + " (" + classes[i] + ")"
		}
	}
	return ""
}

// formatVerbs lists the verbs of a format, %% left out.
func formatVerbs(format string) []rune {
	var verbs []rune
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.ContainsRune("+-# 0123456789.", rune(format[i])) {
			i++
		}
		if i < len(format) && format[i] != '%' {
			verbs = append(verbs, rune(format[i]))
		}
	}
	return verbs
}

func quote(s string) string { return `"` + s + `"` }
func itoa(n int) string     { return Sprintf("%d", n) }

// TestCallChecks makes sure the checks of TestCallers can fail.
func TestCallChecks(t *testing.T) {
	if fits('d', "string") || fits('s', "float") || !fits('v', "[]int") || !fits('w', "text") || fits('w', "int") {
		t.Error("fits accepts a wrong verb or refuses a right one")
	}
	if got := formatVerbs("a %d, %5.1f%% %-8s %q%v"); string(got) != "dfsqv" {
		t.Errorf("verbs %q", string(got))
	}
	named := types.NewNamed(types.NewTypeName(token.NoPos, nil, "Kind", nil), types.Typ[types.Int], nil)
	for _, c := range []struct {
		t    types.Type
		want string
	}{
		{types.Typ[types.Int64], "int"},
		{types.Typ[types.UntypedNil], "nil"},
		{named, ""},
		{types.NewSlice(types.Typ[types.Float32]), "[]float"},
		{types.NewSlice(named), ""},
		{types.NewSlice(types.NewSlice(types.Typ[types.Int])), "[]int"},
		{types.NewSlice(types.NewSlice(types.Typ[types.Int64])), ""},
		{types.NewMap(types.Typ[types.String], types.Typ[types.Int]), ""},
		{types.Universe.Lookup("error").Type(), "text"},
		{types.NewInterfaceType(nil, nil), ""},
	} {
		if got := class(c.t); got != c.want {
			t.Errorf("class(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}
