package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A binary built as deploy/Dockerfile builds it passes; a default build
// fails, naming what differs; so does a dynamically linked program.
func TestCheckBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module hello\n\ngo 1.22\n")
	write("main.go", "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(0) }\n")
	build := func(out string, cgo string, args ...string) string {
		cmd := exec.Command("go", append(append([]string{"build", "-o", out}, args...), ".")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo, "GOFLAGS=-buildvcs=false")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		return filepath.Join(dir, out)
	}
	if err := checkBinary(build("static", "0", "-trimpath", "-ldflags", "-s -w")); err != nil {
		t.Fatalf("the Dockerfile's build fails the check: %v", err)
	}
	err := checkBinary(build("plain", "0"))
	for _, want := range []string{"without -trimpath", "symbol table", "DWARF"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a default build: got %v, want %q", err, want)
		}
	}
	for _, dyn := range []string{"/bin/sh", "/usr/bin/env"} {
		if _, err := os.Stat(dyn); err != nil {
			continue
		}
		if err := checkBinary(dyn); err == nil || !strings.Contains(err.Error(), "program interpreter") {
			t.Errorf("%s: got %v, want the interpreter named", dyn, err)
		}
		return
	}
}
