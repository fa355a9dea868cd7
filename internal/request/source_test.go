package request_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// These tests read the source, as the processor boundary test does: they
// guard the shape of the request layer, not its behaviour.

const module = "github.com/schoolcloud/lms/"

// parseDir parses the Go files of dir (tests too when tests is set).
func parseDir(t *testing.T, dir string, tests bool) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var files []*ast.File
	for _, p := range paths {
		if !tests && strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		files = append(files, f)
	}
	return fset, files
}

// The pages and the API are siblings over the kernel: neither imports the
// other (tests included).
func TestFrontEndsDoNotImportEachOther(t *testing.T) {
	t.Parallel()
	for dir, forbidden := range map[string]string{"../web": "internal/httpapi", "../httpapi": "internal/web"} {
		_, files := parseDir(t, dir, true)
		for _, f := range files {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				require.NotEqual(t, module+forbidden, path, "%s imports %s", f.Name.Name, forbidden)
			}
		}
	}
}

// writers are the calls that write a response: only the adapters may.
var writers = map[string]bool{"JSON": true, "AbortWithStatusJSON": true, "AbortWithStatus": true, "Status": true,
	"Data": true, "String": true, "Redirect": true, "IndentedJSON": true, "HTML": true}

// noWrites reports every call in dir's files (but skip) that writes a
// response: c.JSON and the like, request.Fail, or the pages' s.render and
// s.Error.
func noWrites(t *testing.T, dir string, skip ...string) {
	t.Helper()
	fset, files := parseDir(t, dir, false)
	for _, f := range files {
		if slices.Contains(skip, filepath.Base(fset.Position(f.Pos()).Filename)) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, _ := sel.X.(*ast.Ident)
			switch {
			case x == nil:
			case x.Name == "c" && writers[sel.Sel.Name],
				x.Name == "request" && sel.Sel.Name == "Fail",
				x.Name == "s" && (sel.Sel.Name == "render" || sel.Sel.Name == "Error"):
				t.Errorf("%s: a handler writes (%s.%s); return the reply or the error instead",
					fset.Position(call.Pos()), x.Name, sel.Sel.Name)
			}
			return true
		})
	}
}

// API handlers return their reply or error; only the kernel's adapter
// writes. A handler that writes a status, JSON or an error itself would
// state a status the route row does not.
func TestAPIHandlersDoNotWrite(t *testing.T) {
	t.Parallel()
	noWrites(t, "../httpapi")
}

// Page handlers return a page or an error too; only the pages' adapter
// (page.go) and the renderer it calls (render.go) write.
func TestPageHandlersDoNotWrite(t *testing.T) {
	t.Parallel()
	noWrites(t, "../web", "page.go", "render.go")
}

// No package of ours keeps mutable state at package level (the logger is
// slog's): no init functions, and no package-level variable is assigned,
// incremented, indexed into or deleted from after its declaration. State
// lives in the values the app wires, so tests and processes never share it.
func TestNoPackageLevelMutableState(t *testing.T) {
	t.Parallel()
	var dirs []string
	for _, root := range []string{"..", "../../cmd"} {
		require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			// Test helpers, and the benchmark program (not the service).
			if strings.HasSuffix(d.Name(), "test") || d.Name() == "testdata" || d.Name() == "lmsbench" {
				return filepath.SkipDir
			}
			dirs = append(dirs, p)
			return nil
		}))
	}
	for _, dir := range dirs {
		fset, files := parseDir(t, dir, false)
		vars := map[string]bool{}
		for _, f := range files {
			for _, decl := range f.Decls {
				if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
					for _, spec := range gd.Specs {
						for _, n := range spec.(*ast.ValueSpec).Names {
							vars[n.Name] = true
						}
					}
				}
			}
		}
		for _, f := range files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				if fn.Recv == nil && fn.Name.Name == "init" {
					t.Errorf("%s: func init sets up package state; build it in a constructor", fset.Position(fn.Pos()))
				}
				checkWrites(t, fset, fn, vars)
			}
		}
	}
}

// checkWrites reports writes in fn to package-level variables that fn does
// not shadow with a local of the same name.
func checkWrites(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl, vars map[string]bool) {
	locals := map[string]bool{}
	collect := func(ids ...*ast.Ident) {
		for _, id := range ids {
			locals[id.Name] = true
		}
	}
	if fn.Recv != nil {
		for _, f := range fn.Recv.List {
			collect(f.Names...)
		}
	}
	for _, f := range fn.Type.Params.List {
		collect(f.Names...)
	}
	if fn.Type.Results != nil {
		for _, f := range fn.Type.Results.List {
			collect(f.Names...)
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						collect(id)
					}
				}
			}
		case *ast.ValueSpec:
			collect(n.Names...)
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						collect(id)
					}
				}
			}
		case *ast.FuncLit:
			for _, f := range n.Type.Params.List {
				collect(f.Names...)
			}
		}
		return true
	})
	written := func(e ast.Expr) {
		for {
			switch x := e.(type) {
			case *ast.IndexExpr:
				e = x.X
				continue
			case *ast.SelectorExpr:
				e = x.X
				continue
			case *ast.StarExpr:
				e = x.X
				continue
			case *ast.ParenExpr:
				e = x.X
				continue
			case *ast.Ident:
				if vars[x.Name] && !locals[x.Name] {
					t.Errorf("%s: %s writes package-level %s; keep state in a value the app wires", fset.Position(x.Pos()), fn.Name.Name, x.Name)
				}
			}
			return
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					written(l)
				}
			}
		case *ast.IncDecStmt:
			written(n.X)
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "delete" && len(n.Args) > 0 {
				written(n.Args[0])
			}
		}
		return true
	})
}
