package roster

import (
	"strings"
)

// Mode is how a OneRoster 1.2 manifest says a file is meant.
type Mode string

// Manifest modes (manifest.csv's file.* properties).
const (
	// Bulk is a full file: what it leaves out has ended (people leave,
	// enrolments close, classes are archived), in the schools it covers.
	Bulk Mode = "bulk"
	// Delta holds changes only; what it leaves out is left alone.
	// Without a manifest every file is read as delta.
	Delta Mode = "delta"
	// Absent says the file is not in the package: its data is left alone.
	Absent Mode = "absent"
)

// manifestKeys are the manifest properties naming the files we read (a
// fixed table: nothing adds to it).
var manifestKeys = map[string]string{
	"file.orgs":             OrgsFile,
	"file.users":            UsersFile,
	"file.roles":            RolesFile,
	"file.classes":          ClassesFile,
	"file.enrollments":      EnrollmentsFile,
	"file.demographics":     DemographicsFile,
	"file.academicSessions": AcademicSessionsFile,
}

// parseManifest reads manifest.csv (propertyName,value rows). Properties
// we do not use (versions, source system) are ignored.
func (p *plan) parseManifest(t *table) {
	p.modes = map[string]Mode{}
	for _, r := range t.rows {
		file, ok := manifestKeys[t.get(r, "propertyName")]
		if !ok {
			continue
		}
		switch m := Mode(strings.ToLower(t.get(r, "value"))); m {
		case Bulk, Delta, Absent:
			p.modes[file] = m
		default:
			p.fail(t.file, r.line, "value", "must be bulk, delta or absent")
			p.fileLevel = true
		}
	}
}

// modeOf is a file's mode: the manifest's word, delta when there is no
// manifest or it does not name the file.
func (p *plan) modeOf(file string) Mode {
	if m, ok := p.modes[file]; ok {
		return m
	}
	return Delta
}

// bulk reports whether a file of the upload is a full (bulk) file.
func (p *plan) bulk(file string) bool { return p.modes[file] == Bulk && p.has[file] }

// checkManifest refuses a manifest that disagrees with the upload: a file
// it calls bulk or delta must be there, and one it calls absent is left
// unread (warned), so a stale file cannot overwrite anything.
func (p *plan) checkManifest(files map[string][]byte) {
	p.has = map[string]bool{}
	for name := range files {
		p.has[name] = true
	}
	for file, m := range p.modes {
		_, present := files[file]
		switch {
		case m == Absent && present:
			p.warn(file, 0, "", "manifest.csv says this file is absent, so it was not read")
			p.has[file] = false
		case m != Absent && !present:
			p.fail(ManifestFile, 0, "", "names %s as %s, but the upload does not hold it", file, m)
			p.fileLevel = true
		}
	}
}

// Modes lists each read file's mode for the import's record; empty when
// the upload had no manifest (every file was read as delta).
func (p *plan) modeList() map[string]Mode {
	out := map[string]Mode{}
	if p.modes == nil {
		return out
	}
	for _, f := range p.files {
		if f != ManifestFile && p.has[f] {
			out[f] = p.modeOf(f)
		}
	}
	return out
}
