package main

import (
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"strings"
)

// checkBinary checks that path is the binary deploy/Dockerfile builds: a
// static ELF (no program interpreter, no shared libraries, so it runs on
// distroless/static, which has no libc) built with CGO_ENABLED=0,
// -trimpath and -ldflags "-s -w".
func checkBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	var problems []string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			problems = append(problems, "has a program interpreter (dynamically linked)")
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		problems = append(problems, fmt.Sprintf("needs shared libraries %v", libs))
	}
	// -s drops the symbol table, -w the DWARF sections. (The ldflags are
	// not in the build information: -trimpath leaves them out.)
	if f.Section(".symtab") != nil {
		problems = append(problems, "has a symbol table (build with -ldflags \"-s -w\")")
	}
	for _, sec := range f.Sections {
		if strings.HasPrefix(sec.Name, ".debug_") || strings.HasPrefix(sec.Name, ".zdebug_") {
			problems = append(problems, "has DWARF debug information (build with -ldflags \"-s -w\")")
			break
		}
	}
	settings := map[string]string{}
	if info, err := buildinfo.ReadFile(path); err != nil {
		problems = append(problems, fmt.Sprintf("has no Go build information (%v)", err))
	} else {
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
	}
	if settings["CGO_ENABLED"] != "0" {
		problems = append(problems, fmt.Sprintf("built with CGO_ENABLED=%q, want 0", settings["CGO_ENABLED"]))
	}
	if settings["-trimpath"] != "true" {
		problems = append(problems, "built without -trimpath")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", path, strings.Join(problems, "; "))
	}
	return nil
}
