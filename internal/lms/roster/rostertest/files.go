package rostertest

import (
	"bytes"
	"encoding/csv"
	"strings"
)

// The OneRoster 1.2 CSV headers, column for column as the specification
// lists them.
var Headers = map[string][]string{
	"manifest.csv":         {"propertyName", "value"},
	"orgs.csv":             {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
	"academicSessions.csv": {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
	"courses.csv":          {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
	"classes.csv": {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
		"schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
	"users.csv": {"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName", "middleName",
		"identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "resourceSourcedIds",
		"preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"},
	"roles.csv":       {"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"},
	"enrollments.csv": {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"},
	"demographics.csv": {"sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
		"blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
		"countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"},
}

// The time a delta file says its rows changed.
const deltaModified = "2026-12-07T09:00:00.000Z"

// sheet writes one file: a byte-order mark, the header, CRLF line ends,
// fields quoted only where they must be (commas, quotes), as MIS tools do.
type sheet struct {
	buf bytes.Buffer
	w   *csv.Writer
}

func newSheet(name string) *sheet {
	sh := &sheet{}
	sh.buf.WriteString("\ufeff")
	sh.w = csv.NewWriter(&sh.buf)
	sh.w.UseCRLF = true
	sh.row(Headers[name]...)
	return sh
}

func (sh *sheet) row(vals ...string) { _ = sh.w.Write(vals) } // writes to memory

func (sh *sheet) bytes() []byte { sh.w.Flush(); return sh.buf.Bytes() }

// BulkFiles is the full export without the leavers, manifest saying bulk.
func (s *Set) BulkFiles() map[string][]byte {
	keep := func(p *Person) bool { return !s.gone[p] && p != s.DeltaJoiner }
	var people []*Person
	for _, p := range s.People {
		if keep(p) {
			people = append(people, p)
		}
	}
	out := map[string][]byte{
		"manifest.csv":         s.manifest("bulk", "orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments", "demographics"),
		"orgs.csv":             s.orgsFile(""),
		"academicSessions.csv": s.sessionsFile(""),
		"courses.csv":          s.coursesFile(-1, ""),
		"classes.csv":          s.classesFile(-1, ""),
		"users.csv":            s.usersFile(people, "", keep),
		"roles.csv":            s.rolesFile(people, ""),
		"enrollments.csv":      s.enrolFile(people, nil, ""),
		"demographics.csv":     s.demographicsFile(people, ""),
	}
	return out
}

// DeltaFiles is the delta export (Options.Delta): the renamed pupils, the
// enrolments they end (status tobedeleted) and the joiner with their role,
// enrolments and birth date; manifest says delta for those four files and
// absent for the rest.
func (s *Set) DeltaFiles() map[string][]byte {
	changed := append(append([]*Person(nil), s.DeltaRenamed...), s.DeltaJoiner)
	joiner := []*Person{s.DeltaJoiner}
	keep := func(p *Person) bool { return !s.gone[p] }
	return map[string][]byte{
		"manifest.csv":     s.manifest("delta", "users", "roles", "enrollments", "demographics"),
		"users.csv":        s.usersFile(changed, "active", keep),
		"roles.csv":        s.rolesFile(joiner, "active"),
		"enrollments.csv":  s.enrolFile(joiner, s.DeltaEnded, "active"),
		"demographics.csv": s.demographicsFile(joiner, "active"),
	}
}

// SchoolFiles is school i's part of the bulk export (its classes, and the
// people whose primary school it is, with their roles and enrolments) as a
// delta file: rows active, nothing implied about what is absent. Importing
// each school's part in turn loads a trust whose whole files are larger
// than one upload may be.
func (s *Set) SchoolFiles(i int) map[string][]byte {
	keep := func(p *Person) bool { return !s.gone[p] && p != s.DeltaJoiner && p.School == i }
	var people []*Person
	for _, p := range s.People {
		if keep(p) {
			people = append(people, p)
		}
	}
	return map[string][]byte{
		"manifest.csv":         s.manifest("delta", "orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments", "demographics"),
		"orgs.csv":             s.orgsFile("active"),
		"academicSessions.csv": s.sessionsFile("active"),
		"courses.csv":          s.coursesFile(i, "active"),
		"classes.csv":          s.classesFile(i, "active"),
		"users.csv":            s.usersFile(people, "active", keep),
		"roles.csv":            s.rolesFile(people, "active"),
		"enrollments.csv":      s.enrolFile(people, nil, "active"),
		"demographics.csv":     s.demographicsFile(people, "active"),
	}
}

var allFiles = []string{"academicSessions", "categories", "classes", "classResources", "courses", "courseResources", "demographics",
	"enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds",
	"results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources", "users"}

func (s *Set) manifest(mode string, present ...string) []byte {
	sh := newSheet("manifest.csv")
	sh.row("manifest.version", "1.0")
	sh.row("oneroster.version", "1.2")
	for _, f := range allFiles {
		v := "absent"
		for _, p := range present {
			if p == f {
				v = mode
			}
		}
		sh.row("file."+f, v)
	}
	sh.row("source.systemName", "SIMS via Xporter, Trust sync")
	sh.row("source.systemCode", "XPORTER")
	return sh.bytes()
}

// stamp is a row's status and dateLastModified: empty in a bulk file,
// given in a delta.
func stamp(status string) (string, string) {
	if status == "" {
		return "", ""
	}
	return status, deltaModified
}

func (s *Set) orgsFile(status string) []byte {
	sh := newSheet("orgs.csv")
	st, mod := stamp(status)
	sh.row(s.Trust.SourcedID, st, mod, s.Trust.Name, s.Trust.Type, s.Trust.Identifier, "")
	for _, o := range s.Schools {
		sh.row(o.SourcedID, st, mod, o.Name, o.Type, o.Identifier, s.Trust.SourcedID)
	}
	return sh.bytes()
}

func (s *Set) sessionsFile(status string) []byte {
	sh := newSheet("academicSessions.csv")
	st, mod := stamp(status)
	for _, a := range s.Sessions {
		sh.row(a.SourcedID, st, mod, a.Title, a.Type, a.Start, a.End, a.Parent, a.SchoolYear)
	}
	return sh.bytes()
}

func (s *Set) coursesFile(only int, status string) []byte {
	sh := newSheet("courses.csv")
	st, mod := stamp(status)
	for _, c := range s.Courses {
		if only >= 0 && c.School != only {
			continue
		}
		sh.row(c.SourcedID, st, mod, s.Sessions[0].SourcedID, c.Title, c.Code, c.Grade, s.Schools[c.School].SourcedID, c.Subject, "")
	}
	return sh.bytes()
}

func (s *Set) classesFile(only int, status string) []byte {
	sh := newSheet("classes.csv")
	st, mod := stamp(status)
	for _, c := range s.Classes {
		if only >= 0 && c.School != only {
			continue
		}
		sh.row(c.SourcedID, st, mod, c.Title, c.Grade, s.Courses[c.Course].SourcedID, c.Code, c.Type, "",
			s.Schools[c.School].SourcedID, strings.Join(c.Terms, ","), c.Subject, "", "")
	}
	return sh.bytes()
}

func (s *Set) usersFile(people []*Person, status string, keep func(*Person) bool) []byte {
	sh := newSheet("users.csv")
	st, mod := stamp(status)
	for _, p := range people {
		var agents []string
		for _, a := range p.Agents {
			if keep(a) {
				agents = append(agents, a.SourcedID)
			}
		}
		ids := "{MIS:" + p.SourcedID[:8] + "}"
		if p.Role == "student" {
			ids += ",{UPN:" + p.Identifier + "}"
		}
		sms := ""
		if p.Phone != "" {
			sms = p.Phone
		}
		sh.row(p.SourcedID, st, mod, "true", p.Username, ids, p.GivenName, p.FamilyName, p.MiddleName,
			p.Identifier, p.Email, sms, p.Phone, strings.Join(agents, ","), p.Grade, "", p.Identifier, "",
			p.PreferredGivenName, "", "", s.Schools[p.School].SourcedID, "")
	}
	return sh.bytes()
}

func (s *Set) rolesFile(people []*Person, status string) []byte {
	sh := newSheet("roles.csv")
	st, mod := stamp(status)
	for _, p := range people {
		for i, sc := range p.Schools {
			org := s.Schools[sc].SourcedID
			typ := "primary"
			if i > 0 {
				typ = "secondary"
			}
			sh.row(derivedID(p.SourcedID, org), st, mod, p.SourcedID, typ, p.Role, p.RoleBegin, "", org, "")
		}
	}
	return sh.bytes()
}

func (s *Set) enrolFile(people []*Person, ended []*Enrolment, status string) []byte {
	sh := newSheet("enrollments.csv")
	write := func(en *Enrolment, status string) {
		st, mod := stamp(status)
		c := s.Classes[en.Class]
		primary := "false"
		if en.Primary {
			primary = "true"
		}
		sh.row(en.SourcedID, st, mod, c.SourcedID, s.Schools[c.School].SourcedID, en.Person.SourcedID, en.Role, primary, "", "")
	}
	for _, p := range people {
		for _, en := range p.Enrolments {
			write(en, status)
		}
	}
	for _, en := range ended {
		write(en, "tobedeleted")
	}
	return sh.bytes()
}

var birthPlaces = [][2]string{{"GB", "Leeds"}, {"GB", "Cardiff"}, {"GB", "Swansea"}, {"PL", "Kraków"}, {"IE", "Cork"}, {"VN", "Hà Nội"}, {"GB", ""}, {"", ""}}

func (s *Set) demographicsFile(people []*Person, status string) []byte {
	sh := newSheet("demographics.csv")
	st, mod := stamp(status)
	for i, p := range people {
		if p.BirthDate == "" {
			continue
		}
		bp := birthPlaces[i%len(birthPlaces)]
		sh.row(p.SourcedID, st, mod, p.BirthDate, p.Sex, "", "", "", "", "", "", "", bp[0], "", bp[1], "")
	}
	return sh.bytes()
}
