package processor_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/privacy"
)

const module = "github.com/schoolcloud/lms/"

// Imports processor code may not use: raw drivers bypass the scope, and
// the learning core's stores are reached only through its services.
var forbiddenImports = []string{"database/sql", "github.com/jackc/pgx", module + "internal/lms/", module + "internal/web"}

// Scope constructors processor code may call, and whether a function that
// calls one must also write to the tenant's audit log (or raise an alert
// there) in the same function.
var constructors = map[string]bool{"Contract": true, "Support": true, "Legal": true, "System": false}

// unlogged are processor functions that take a contract scope without an
// audit record, each with the reason.
var unlogged = map[string]string{
	"tenant.figures": "counts rows for operators; reads no row's content",
}

// Invariant (boundary): processor packages import no raw database driver
// and no learning-core store; they construct only grant, contract or
// system scopes (never a member's own); a function that opens a grant or a
// contract scope also writes the tenant's audit log; and SQL naming a
// tenant table appears only in functions that enter a scope or run inside
// one (they take the scoped transaction).
func TestProcessorReachesTenantDataOnlyThroughScopes(t *testing.T) {
	t.Parallel()
	tenantTables := map[string]bool{}
	for _, tb := range privacy.Tables() {
		if tb.Owner == privacy.Tenant {
			tenantTables[tb.Name] = true
		}
	}
	var problems []string
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	require.NoError(t, filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		parsed[path], err = parser.ParseFile(fset, path, nil, parser.ParseComments)
		return err
	}))
	require.Greater(t, len(parsed), 5, "the walk found the processor's code")
	// scopers are the functions (package.name) that open a scope themselves;
	// calling one counts as working inside a scope.
	scopers := map[string]bool{}
	for _, f := range parsed {
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil && opensScope(fn.Body) {
				scopers[f.Name.Name+"."+fn.Name.Name] = true
			}
		}
	}
	for path, f := range parsed {
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			for _, bad := range forbiddenImports {
				if p == bad || strings.HasSuffix(bad, "/") && strings.HasPrefix(p, bad) || bad == "github.com/jackc/pgx" && strings.HasPrefix(p, bad) {
					problems = append(problems, path+": imports "+p)
				}
			}
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			problems = append(problems, checkFunc(fset, f.Name.Name, fn, tenantTables, scopers)...)
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems, strings.Join(problems, "\n"))
}

var sqlTable = regexp.MustCompile(`(?i)\b(?:from|join|into|update)\s+([a-z_]+)`)

// opensScope reports a body that calls access.Transact, Read or Enter.
func opensScope(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && exprName(sel.X) == "access" &&
				(sel.Sel.Name == "Transact" || sel.Sel.Name == "Read" || sel.Sel.Name == "Enter") {
				found = true
			}
		}
		return !found
	})
	return found
}

func checkFunc(fset *token.FileSet, pkgName string, fn *ast.FuncDecl, tenantTables, scopers map[string]bool) []string {
	name := pkgName + "." + fn.Name.Name
	var problems []string
	var logged, scoped, needsLog bool
	var sqlTables []string
	takesTx := takesGormTx(fn.Type) // runs inside a transaction its caller scoped
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "logInstruction" {
				logged = true
			}
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, fun := exprName(sel.X), sel.Sel.Name
			if scopers[pkgName+"."+fun] {
				scoped = true // a helper of this package that opens the scope
			}
			switch {
			case pkg == "access" && (fun == "Transact" || fun == "Read" || fun == "Enter"):
				scoped = true
			case pkg == "access" && fun == "CloseGate":
				// takes the tenant's write-gate lock: no data is read or written
			case pkg == "access" && fun == "Member" || pkg == "access" && fun == "Authentication":
				problems = append(problems, fmt.Sprintf("%s (%s): constructs a member's scope; take it from the caller", name, fset.Position(n.Pos())))
			case pkg == "access" && unicodeUpper(fun) && fun != "Scope":
				mustLog, known := constructors[fun]
				if !known && !strings.HasPrefix(fun, "Basis") {
					problems = append(problems, fmt.Sprintf("%s (%s): uses access.%s", name, fset.Position(n.Pos()), fun))
				}
				needsLog = needsLog || mustLog
			case pkg == "audit" && fun == "Append", pkg == "alert" && fun == "Raise":
				logged = true
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				for _, m := range sqlTable.FindAllStringSubmatch(n.Value, -1) {
					if tenantTables[strings.ToLower(m[1])] {
						sqlTables = append(sqlTables, m[1])
					}
				}
			}
		}
		return true
	})
	if needsLog && !logged && unlogged[name] == "" {
		problems = append(problems, name+": opens a grant or contract scope but writes nothing to the tenant's audit log")
	}
	if len(sqlTables) > 0 && !scoped && !takesTx {
		problems = append(problems, fmt.Sprintf("%s: SQL on tenant tables %v outside any scope", name, sqlTables))
	}
	return problems
}

// takesGormTx reports a function type with a *gorm.DB parameter.
func takesGormTx(ft *ast.FuncType) bool {
	for _, p := range ft.Params.List {
		if s, ok := p.Type.(*ast.StarExpr); ok {
			if sel, ok := s.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "DB" && exprName(sel.X) == "gorm" {
				return true
			}
		}
	}
	return false
}

func exprName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func unicodeUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }
