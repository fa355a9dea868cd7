// Package rostertest builds OneRoster 1.2 CSV exports the way UK MIS sync
// tools deliver them, for tests and for the benchmark (cmd/lmsbench): a
// trust org (type district) over N schools (type school) with GUID
// sourcedIds and DfE-style identifiers, a school year and three terms,
// courses, classes with their terms, pupils, teachers, teaching assistants
// (aides), an administrator per school and guardians linked to their
// children through agentSourcedIds, roles.csv, enrollments.csv,
// demographics.csv and manifest.csv.
//
// The bytes are what real files look like, not what is easiest to read:
// every file starts with a UTF-8 byte-order mark, lines end in CRLF, fields
// holding commas are quoted ("Smith, Jr", "7A/Ma1, Set 2", term lists), and
// names carry apostrophes and letters beyond ASCII (Siân, Zoë, Łukasz,
// O'Brien, Nguyễn). Everything is derived from Options.Seed, so the same
// options give the same bytes, and a bulk file with leavers holds the same
// sourcedIds as the full one.
package rostertest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sort"
)

// Options shape an export. Zero values take the defaults noted.
type Options struct {
	// Schools of the trust (default 2). School i (0-based) is a secondary
	// (Years 7 to 11) when i is even, a primary (Years 1 to 6) when odd,
	// so both kinds hold children under 13.
	Schools int
	// People is the number of users in users.csv (default 1,500): about 80 %
	// pupils, 6.5 % teachers, 2 % aides, one administrator per school and
	// the rest guardians.
	People int
	// ClassesPerSchool (default: enough for about 25 pupils a class).
	ClassesPerSchool int
	// EnrolmentsPerPupil is the classes each pupil is in (default 6),
	// capped by the classes of their year group.
	EnrolmentsPerPupil int
	// Seed makes the export (default 1).
	Seed uint64
	// Leavers drops this many pupils (with their roles, enrolments and
	// demographics; a guardian left with no child goes too) from a bulk
	// export. Set.Leavers names them.
	Leavers int
	// Delta, when above zero, makes Export return a delta export instead
	// of a bulk one: Delta pupils renamed, each leaving their first class
	// (status tobedeleted), and one new pupil joining. See Set.DeltaFiles.
	Delta int
	// OrgIDs is "guid" (default): org sourcedIds are GUIDs, as real exports
	// have them; or "slug": each school's sourcedId is SchoolSlugs[i], so
	// an importer that names schools by slug accepts the file.
	OrgIDs string
	// SchoolSlugs are the tenant's school slugs, for OrgIDs "slug".
	SchoolSlugs []string
}

func (o Options) withDefaults() Options {
	if o.Schools <= 0 {
		o.Schools = 2
	}
	if o.People <= 0 {
		o.People = 1500
	}
	if o.EnrolmentsPerPupil <= 0 {
		o.EnrolmentsPerPupil = 6
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.OrgIDs == "" {
		o.OrgIDs = "guid"
	}
	return o
}

// Export builds the export's files, by file name: the bulk files (without
// the leavers), or the delta files when o.Delta > 0.
func Export(o Options) map[string][]byte {
	s := Generate(o)
	if s.Options.Delta > 0 {
		return s.DeltaFiles()
	}
	return s.BulkFiles()
}

// Zip packs files into one zip archive, as SIS tools upload them.
func Zip(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, fmt.Errorf("rostertest: zip %s: %w", n, err)
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, fmt.Errorf("rostertest: zip %s: %w", n, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("rostertest: zip: %w", err)
	}
	return buf.Bytes(), nil
}

// Rows counts the data rows of every file (header excluded), by file name.
func Rows(files map[string][]byte) map[string]int {
	out := map[string]int{}
	for n, b := range files {
		out[n] = bytes.Count(b, []byte("\r\n")) - 1
	}
	return out
}
