package source

import (
	"bytes"
	"io/fs"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// CheckUTF8 checks that every .cue file of the domain's directory is
// UTF-8: bytes that are not are an error at their line, never replaced.
// Diagnostics name files as compile does: under d.Dir.
func CheckUTF8(d *Domain) diag.Diagnostics { return eachFile(d, checkUTF8) }

// CheckPackages checks what the CUE loader would otherwise pass over in
// silence: every .cue file of the domain's directory starts with the
// domain's package clause, `package <domain>`; a file without one is left
// out of the package, and one of another package is taken for another
// domain's.
func CheckPackages(d *Domain) diag.Diagnostics { return eachFile(d, checkPackage) }

func eachFile(d *Domain, check func(d *Domain, file, name string, b []byte) diag.Diagnostics) diag.Diagnostics {
	entries, err := fs.ReadDir(d.FS, ".")
	if err != nil {
		return nil // the loader says why the directory cannot be read
	}
	var ds diag.Diagnostics
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".cue") || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		b, err := fs.ReadFile(d.FS, e.Name())
		if err != nil {
			continue
		}
		file := e.Name()
		if d.Dir != "" && d.Dir != "." {
			file = d.Dir + "/" + file
		}
		ds = append(ds, check(d, file, e.Name(), b)...)
	}
	return ds
}

func sourceError(d *Domain, file string, line, col int, format string, args ...any) diag.Diagnostic {
	dg := diag.Errorf("source", format, args...).At(diag.Pos{File: file, Line: line, Column: col})
	dg.Domain = d.Name
	return dg
}

func checkUTF8(d *Domain, file, _ string, b []byte) diag.Diagnostics {
	if i := invalidUTF8(b); i >= 0 {
		line, col := position(b, i)
		return diag.Diagnostics{sourceError(d, file, line, col, "byte 0x%02x is not UTF-8: CUE files are UTF-8 text; save the file as UTF-8", b[i])}
	}
	return nil
}

func checkPackage(d *Domain, file, name string, b []byte) diag.Diagnostics {
	at := func(line, col int, format string, args ...any) diag.Diagnostic {
		return sourceError(d, file, line, col, format, args...)
	}
	f, err := parser.ParseFile(name, b, parser.PackageClauseOnly)
	if err != nil {
		return nil // a syntax error: compiling reports it at its position
	}
	pkg := f.PackageName()
	if pkg == d.Name {
		return nil
	}
	if pkg == "" {
		return diag.Diagnostics{at(1, 1, "the file has no package clause, so it would not be part of domain %s: start it with `package %s`", d.Name, d.Name)}
	}
	line, col := 1, 1
	for _, decl := range f.Decls {
		if p, ok := decl.(*ast.Package); ok && p.Name != nil && p.Name.Pos().IsValid() {
			line, col = p.Name.Pos().Line(), p.Name.Pos().Column()
			break
		}
	}
	return diag.Diagnostics{at(line, col, "the file is `package %s`, but the files of domain %s are `package %s`: change its package clause to `package %s`", pkg, d.Name, d.Name, d.Name)}
}

// invalidUTF8 returns the offset of b's first byte that is not UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// position returns the 1-based line and column (in characters) of offset i.
func position(b []byte, i int) (int, int) {
	line := 1 + bytes.Count(b[:i], []byte("\n"))
	start := bytes.LastIndexByte(b[:i], '\n') + 1
	return line, utf8.RuneCount(b[start:i]) + 1
}
