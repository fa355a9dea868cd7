package rostertest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Org is the trust or one of its schools.
type Org struct {
	SourcedID  string
	Name       string
	Type       string // district or school
	Identifier string // DfE number (LA code and establishment), e.g. 3834012
	Secondary  bool
	Domain     string // e-mail domain of the school's staff and pupils
}

// Session is an academic session: the school year or one of its terms.
type Session struct {
	SourcedID, Title, Type, Start, End, Parent, SchoolYear string
}

// Course is a subject in a year group of a school.
type Course struct {
	SourcedID, Title, Code, Grade, Subject string
	School                                 int
}

// Class is a teaching group.
type Class struct {
	SourcedID, Title, Code, Grade, Subject string
	School                                 int
	Course                                 int
	Terms                                  []string // term sourcedIds
	Type                                   string   // scheduled or homeroom
}

// Person is one user of the export. Role is the OneRoster role: student,
// teacher, aide, administrator, or parent, guardian or relative.
type Person struct {
	SourcedID          string
	Role               string
	School             int   // primary school
	Schools            []int // every school the person has a role in
	Username, Email    string
	GivenName          string
	MiddleName         string
	FamilyName         string
	PreferredGivenName string
	Identifier         string // a pupil's UPN, a staff code
	Grade              string // "07" for a pupil in Year 7
	BirthDate          string // pupils: YYYY-MM-DD
	Sex                string
	Phone              string
	Agents             []*Person // a pupil's guardians; a guardian's children
	Enrolments         []*Enrolment
	RoleBegin          string
}

// Enrolment is a person in a class.
type Enrolment struct {
	SourcedID string
	Class     int
	Person    *Person
	Role      string // student, teacher or aide
	Primary   bool
}

// Set is a generated export: the trust, its records, and which of them a
// bulk file leaves out (Leavers) or a delta file changes.
type Set struct {
	Options  Options
	Trust    Org
	Schools  []Org
	Sessions []Session // the school year first, then three terms
	Courses  []Course
	Classes  []Class
	People   []*Person
	// Leavers are the pupils left out of BulkFiles (Options.Leavers).
	Leavers []*Person
	// Delta: the renamed pupils (their new family name is in the person),
	// the enrolments they end, and the joiner; filled when Options.Delta > 0.
	DeltaRenamed []*Person
	DeltaEnded   []*Enrolment
	DeltaJoiner  *Person

	rng     *rand.Rand
	seq     int
	gone    map[*Person]bool
	oldName map[*Person]string
}

// Pupils returns the pupils of school i (-1: all schools).
func (s *Set) Pupils(i int) []*Person {
	var out []*Person
	for _, p := range s.People {
		if p.Role == "student" && (i < 0 || p.School == i) {
			out = append(out, p)
		}
	}
	return out
}

// Generate builds the records of an export.
func Generate(o Options) *Set {
	o = o.withDefaults()
	s := &Set{Options: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), gone: map[*Person]bool{}, oldName: map[*Person]string{}}
	s.orgs()
	s.sessions()
	s.people()
	s.classes()
	s.enrol()
	s.guardians()
	s.pickLeavers()
	if o.Delta > 0 {
		s.delta()
	}
	return s
}

// guid is a version-4 UUID drawn from the set's generator.
func (s *Set) guid() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Set) pick(list []string) string { return list[s.rng.IntN(len(list))] }

func (s *Set) orgs() {
	s.Trust = Org{SourcedID: s.guid(), Name: "Northern Lights Multi-Academy Trust", Type: "district", Identifier: "TR01234"}
	for i := range s.Options.Schools {
		name := schoolNames[i%len(schoolNames)]
		if i >= len(schoolNames) {
			name = fmt.Sprintf("%s %d", name, i/len(schoolNames)+1)
		}
		org := Org{SourcedID: s.guid(), Name: name, Type: "school", Secondary: i%2 == 0,
			Identifier: fmt.Sprintf("%03d%04d", 300+s.rng.IntN(600), 2000+i*7+s.rng.IntN(7)),
			Domain:     fmt.Sprintf("school%d.example.org", i+1)}
		if s.Options.OrgIDs == "slug" {
			org.SourcedID = s.Options.SchoolSlugs[i]
		}
		s.Schools = append(s.Schools, org)
	}
}

func (s *Set) sessions() {
	year := s.guid()
	s.Sessions = []Session{
		{year, "2026/27", "schoolYear", "2026-09-01", "2027-08-31", "", "2027"},
		{s.guid(), "Autumn term 2026", "term", "2026-09-01", "2026-12-18", year, "2027"},
		{s.guid(), "Spring term 2027", "term", "2027-01-04", "2027-03-26", year, "2027"},
		{s.guid(), "Summer term 2027", "term", "2027-04-12", "2027-07-21", year, "2027"},
	}
}

// yearGroups are a school's years: 7 to 11 in a secondary, 1 to 6 in a
// primary.
func (s *Set) yearGroups(school int) []int {
	if s.Schools[school].Secondary {
		return []int{7, 8, 9, 10, 11}
	}
	return []int{1, 2, 3, 4, 5, 6}
}

// people makes pupils, staff and (not yet linked) guardians in the
// Options' shares.
func (s *Set) people() {
	n, k := s.Options.People, s.Options.Schools
	pupils := n * 80 / 100
	teachers := max(n*65/1000, k)
	aides := n * 2 / 100
	guardians := max(n-pupils-teachers-aides-k, 0)
	for i := range pupils {
		years := s.yearGroups(i % k)
		s.newPupil(i%k, years[(i/k)%len(years)])
	}
	for i := range teachers {
		p := s.newPerson("teacher", i%k)
		if i%20 == 19 && k > 1 { // some teach across the trust
			p.Schools = append(p.Schools, (i+1)%k)
		}
	}
	for i := range aides {
		s.newPerson("aide", i%k)
	}
	for i := range k {
		s.newPerson("administrator", i)
	}
	for i := range guardians {
		p := s.newPerson("parent", i%k)
		p.Role = []string{"parent", "parent", "parent", "guardian", "relative"}[s.rng.IntN(5)]
		p.Schools = nil // the schools of their children, once linked
	}
}

// newPerson makes one user of role in school, with names, username and
// e-mail, and adds them to the set.
func (s *Set) newPerson(role string, school int) *Person {
	s.seq++
	seq := s.seq
	p := &Person{SourcedID: s.guid(), Role: role, School: school, Schools: []int{school}}
	p.Sex = s.pick([]string{"female", "male"})
	given := givenFemale
	if p.Sex == "male" {
		given = givenMale
	}
	p.GivenName, p.FamilyName = s.pick(given), s.pick(familyNames)
	if s.rng.IntN(10) < 4 {
		if p.MiddleName = s.pick(given); p.MiddleName == p.GivenName {
			p.MiddleName = ""
		}
	}
	if short, ok := preferred[p.GivenName]; ok && s.rng.IntN(2) == 0 {
		p.PreferredGivenName = short
	}
	base := fold(p.GivenName) + "." + fold(p.FamilyName)
	dom := s.Schools[school].Domain
	switch role {
	case "student":
		p.Username = fmt.Sprintf("%s%d", base, seq)
		p.Email = p.Username + "@" + dom
	case "parent":
		p.Username = fmt.Sprintf("%s%d@home.example.net", base, seq)
		p.Email = p.Username
		p.Phone = fmt.Sprintf("07700 900%03d", s.rng.IntN(1000))
	default:
		p.Username = fmt.Sprintf("%s.%s%d@%s", fold(p.GivenName)[:1], fold(p.FamilyName), seq, dom)
		p.Email = p.Username
		p.Identifier = fmt.Sprintf("%s%s%d", strings.ToUpper(fold(p.GivenName)[:1]), strings.ToUpper(fold(p.FamilyName)[:1]), seq)
		p.RoleBegin = fmt.Sprintf("%d-09-01", 2010+s.rng.IntN(16))
	}
	s.People = append(s.People, p)
	return p
}

// newPupil makes a pupil of Year y in school, born in that year group's
// twelve months, with a UPN-shaped identifier.
func (s *Set) newPupil(school, y int) *Person {
	p := s.newPerson("student", school)
	// Year y of 2026/27 was born between 1 September and 31 August.
	born := time.Date(2026-(y+5), 9, 1, 0, 0, 0, 0, time.UTC)
	p.BirthDate = born.AddDate(0, 0, s.rng.IntN(365)).Format(time.DateOnly)
	p.Grade = fmt.Sprintf("%02d", y)
	entry := 2026 - (y - s.yearGroups(school)[0])
	p.Identifier = fmt.Sprintf("%c%s%02d%03d", 'A'+rune(s.rng.IntN(26)), s.Schools[school].Identifier, entry%100, s.seq%1000)
	p.RoleBegin = fmt.Sprintf("%d-09-01", entry)
	return p
}

// oneOf returns people of role in school.
func (s *Set) oneOf(role string, school int) []*Person {
	var out []*Person
	for _, p := range s.People {
		if p.Role == role && p.School == school {
			out = append(out, p)
		}
	}
	return out
}
