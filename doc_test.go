package dcv_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Every exported identifier of the module has a doc comment: functions,
// methods of exported types, types, constants, variables, struct fields and
// interface methods (a comment above or at the end of the line). Commands
// (package main) and tests are left out.
func TestEveryExportedIdentifierHasADocComment(t *testing.T) {
	fset := token.NewFileSet()
	var missing []string
	report := func(pos token.Pos, name string) {
		missing = append(missing, fset.Position(pos).String()+": "+name)
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc == nil && exportedReceiver(d) {
					report(d.Pos(), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					checkSpec(spec, d.Doc != nil, report)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported identifiers without a doc comment:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// exportedReceiver reports whether d is a function or a method of an
// exported type (methods of unexported types are not in the docs).
func exportedReceiver(d *ast.FuncDecl) bool {
	if d.Recv == nil {
		return true
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	id, ok := t.(*ast.Ident)
	return !ok || id.IsExported()
}

func checkSpec(spec ast.Spec, groupDoc bool, report func(token.Pos, string)) {
	switch s := spec.(type) {
	case *ast.TypeSpec:
		if !s.Name.IsExported() {
			return
		}
		if s.Doc == nil && !groupDoc {
			report(s.Pos(), s.Name.Name)
		}
		var fields *ast.FieldList
		switch tt := s.Type.(type) {
		case *ast.StructType:
			fields = tt.Fields
		case *ast.InterfaceType:
			fields = tt.Methods
		}
		if fields == nil {
			return
		}
		for _, fl := range fields.List {
			for _, n := range fl.Names {
				if n.IsExported() && fl.Doc == nil && fl.Comment == nil {
					report(n.Pos(), s.Name.Name+"."+n.Name)
				}
			}
		}
	case *ast.ValueSpec:
		for _, n := range s.Names {
			if n.IsExported() && s.Doc == nil && s.Comment == nil && !groupDoc {
				report(n.Pos(), n.Name)
			}
		}
	}
}
