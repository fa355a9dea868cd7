package rostertest

import (
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
)

// classes makes each school's teaching groups: per year group, sets of the
// subjects, enough for about 25 pupils a class unless ClassesPerSchool
// says otherwise, each with a course (year group and subject).
func (s *Set) classes() {
	e := s.Options.EnrolmentsPerPupil
	courses := map[string]int{}
	for school := range s.Schools {
		years := s.yearGroups(school)
		pupils := len(s.oneOf("student", school))
		for yi, y := range years {
			n := max(e, (pupils/len(years)*e+24)/25)
			if c := s.Options.ClassesPerSchool; c > 0 {
				n = c / len(years)
				if yi < c%len(years) {
					n++
				}
				n = max(n, 1)
			}
			for k := range n {
				subj := subjects[k%len(subjects)]
				set := k/len(subjects) + 1
				key := fmt.Sprint(school, y, subj.name)
				ci, ok := courses[key]
				if !ok {
					ci = len(s.Courses)
					courses[key] = ci
					s.Courses = append(s.Courses, Course{SourcedID: s.guid(), School: school, Grade: fmt.Sprintf("%02d", y), Subject: subj.name,
						Title: fmt.Sprintf("Year %d %s", y, subj.name), Code: fmt.Sprintf("Y%d-%s", y, subj.code)})
				}
				terms := []string{s.Sessions[1].SourcedID, s.Sessions[2].SourcedID, s.Sessions[3].SourcedID}
				if subj.term > 0 {
					terms = []string{s.Sessions[subj.term].SourcedID}
				}
				s.Classes = append(s.Classes, Class{SourcedID: s.guid(), School: school, Course: ci, Grade: fmt.Sprintf("%02d", y), Subject: subj.name,
					Title: fmt.Sprintf("Year %d %s, Set %d", y, subj.name, set),
					Code:  fmt.Sprintf("%d%c/%s%d", y, 'X'+rune(set%3), subj.code, set), Terms: terms, Type: "scheduled"})
			}
		}
	}
}

// enrol puts each pupil in EnrolmentsPerPupil classes of their year group
// (distinct subjects, a random set of each), a teacher on every class
// (primary) and each aide on up to four classes of their school.
func (s *Set) enrol() {
	bySubject := map[string][]int{} // school/grade/subject → classes
	var subjectsOf = map[string][]string{}
	for ci, c := range s.Classes {
		g := fmt.Sprint(c.School, "/", c.Grade)
		k := g + "/" + c.Subject
		if len(bySubject[k]) == 0 {
			subjectsOf[g] = append(subjectsOf[g], c.Subject)
		}
		bySubject[k] = append(bySubject[k], ci)
	}
	add := func(p *Person, class int, role string, primary bool) {
		en := &Enrolment{SourcedID: s.guid(), Class: class, Person: p, Role: role, Primary: primary}
		p.Enrolments = append(p.Enrolments, en)
	}
	for _, p := range s.People {
		if p.Role != "student" {
			continue
		}
		g := fmt.Sprint(p.School, "/", p.Grade)
		subs := append([]string(nil), subjectsOf[g]...)
		s.rng.Shuffle(len(subs), func(i, j int) { subs[i], subs[j] = subs[j], subs[i] })
		for _, sub := range subs[:min(len(subs), s.Options.EnrolmentsPerPupil)] {
			sets := bySubject[g+"/"+sub]
			add(p, sets[s.rng.IntN(len(sets))], "student", false)
		}
	}
	for school := range s.Schools {
		teachers, aides := s.oneOf("teacher", school), s.oneOf("aide", school)
		var classes []int
		for ci, c := range s.Classes {
			if c.School == school {
				classes = append(classes, ci)
			}
		}
		for i, ci := range classes {
			add(teachers[i%len(teachers)], ci, "teacher", true)
		}
		for _, a := range aides {
			for _, k := range s.rng.Perm(len(classes))[:min(4, len(classes))] {
				add(a, classes[k], "aide", false)
			}
		}
	}
}

// guardians links each guardian to one child, or a quarter of them to two
// (siblings, perhaps at different schools of the trust).
func (s *Set) guardians() {
	pupils := s.Pupils(-1)
	if len(pupils) == 0 {
		return
	}
	order := s.rng.Perm(len(pupils))
	next := 0
	link := func(g, child *Person) {
		g.Agents = append(g.Agents, child)
		child.Agents = append(child.Agents, g)
		for _, sc := range g.Schools {
			if sc == child.School {
				return
			}
		}
		g.Schools = append(g.Schools, child.School)
	}
	for _, g := range s.People {
		if !isGuardian(g.Role) {
			continue
		}
		link(g, pupils[order[next%len(order)]])
		next++
		if s.rng.IntN(4) == 0 {
			link(g, pupils[order[next%len(order)]])
			next++
		}
		g.School = g.Schools[0]
	}
}

func isGuardian(role string) bool {
	return role == "parent" || role == "guardian" || role == "relative"
}

// sub returns a generator for one purpose, so choices made for leavers or
// a delta do not move any other record.
func (s *Set) sub(purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.Options.Seed+purpose, purpose))
}

// pickLeavers chooses Options.Leavers pupils across the trust. A guardian
// whose every child leaves goes with them.
func (s *Set) pickLeavers() {
	pupils := s.Pupils(-1)
	r := s.sub(1)
	for _, i := range r.Perm(len(pupils))[:min(s.Options.Leavers, len(pupils))] {
		s.Leavers = append(s.Leavers, pupils[i])
		s.gone[pupils[i]] = true
	}
	for _, p := range s.People {
		if !isGuardian(p.Role) || len(p.Agents) == 0 {
			continue
		}
		left := true
		for _, c := range p.Agents {
			left = left && s.gone[c]
		}
		if left {
			s.gone[p] = true
		}
	}
}

// Gone reports whether BulkFiles leaves p out (a leaver, or a guardian of
// leavers only).
func (s *Set) Gone(p *Person) bool { return s.gone[p] }

// delta renames Options.Delta pupils (each also leaves their first class)
// and adds one pupil joining the first school's youngest year.
func (s *Set) delta() {
	r := s.sub(2)
	var pupils []*Person
	for _, p := range s.Pupils(-1) {
		if !s.gone[p] && len(p.Enrolments) > 0 {
			pupils = append(pupils, p)
		}
	}
	for _, i := range r.Perm(len(pupils))[:min(s.Options.Delta, len(pupils))] {
		p := pupils[i]
		s.oldName[p] = p.FamilyName
		p.FamilyName += "-" + familyNames[r.IntN(len(familyNames))]
		s.DeltaRenamed = append(s.DeltaRenamed, p)
		s.DeltaEnded = append(s.DeltaEnded, p.Enrolments[0])
	}
	j := s.newPupil(0, s.yearGroups(0)[0])
	// The joiner takes the classes of a classmate of the same year.
	for _, p := range s.People {
		if p.Role == "student" && p.School == 0 && p.Grade == j.Grade && p != j {
			for _, en := range p.Enrolments {
				j.Enrolments = append(j.Enrolments, &Enrolment{SourcedID: s.guid(), Class: en.Class, Person: j, Role: "student"})
			}
			break
		}
	}
	s.DeltaJoiner = j
}

// derivedID is a stable GUID-shaped id made from parts (a role's id from
// its person and org), so it is the same in every file of a seed.
func derivedID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
