package roster

import (
	"strings"
)

// courses.csv: OneRoster's catalogue courses ("Year 7 Mathematics",
// courseCode 7MA), each taught in classes ("7A/Ma1", "7B/Ma2") that name
// it by courseSourcedId.
//
// Here a course is where teaching happens: its teachers and learners are
// enrolled on it, its content, work and marks belong to them. A
// OneRoster class is that (its enrolments say who is on it), so each
// class stays one course of this platform, as before. Merging a
// catalogue course's classes into one course (the classes as its groups)
// would put every set of a year group on one course, where each set's
// teacher would see and mark the other sets' learners, and a class moving
// to another teacher could not be told apart. So the catalogue course is
// recorded on each of its classes' courses instead: roster_course_id (its
// sourcedId, so the classes of one catalogue course can be found
// together, as a rollover or a report wants), course_code and
// course_title. A class whose courseSourcedId is not in the upload's
// courses.csv is a row error, when the upload has one; without courses.csv
// the class's courseSourcedId is still recorded and the code and title it
// had are kept while it names the same course. The catalogue course's
// orgSourcedId (a school, or the trust for a course the whole trust
// teaches) is not matched against the class's school. Nothing is made,
// archived or ended by courses.csv itself: its classes are.

// catalogueRow is one courses.csv row.
type catalogueRow struct {
	line        int
	code, title string
	deleted     bool
}

func (p *plan) parseCourses(t *table) {
	p.catalogue = map[string]catalogueRow{}
	seen := map[string]int{}
	for r := range t.rows() {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		c := catalogueRow{line: r.line, code: t.get(r, "courseCode"), title: t.get(r, "title"), deleted: deleted}
		ok3 := p.check(t, r, "title", c.title, !deleted, 200)
		ok4 := p.check(t, r, "courseCode", c.code, false, 100)
		ok5 := p.check(t, r, "orgSourcedId", t.get(r, "orgSourcedId"), false, 255)
		if ok && ok2 && ok3 && ok4 && ok5 {
			p.catalogue[id] = c
		}
	}
}

// catalogue is what a class's course records of its catalogue course.
type catalogue struct {
	ID, Code, Title *string
}

func (c catalogue) same(o catalogue) bool {
	eq := func(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	return eq(c.ID, o.ID) && eq(c.Code, o.Code) && eq(c.Title, o.Title)
}

// catalogueOf is the catalogue course a class names, given what its course
// records now (had); ok is false when the class names a course the
// upload's courses.csv lacks (a row error, reported here).
func (a *applier) catalogueOf(row classRow, had catalogue) (catalogue, bool) {
	if row.course == "" {
		return catalogue{}, true
	}
	id := row.course
	out := catalogue{ID: &id}
	if a.p.catalogue == nil || !a.p.has[CoursesFile] {
		if had.ID != nil && *had.ID == id {
			out.Code, out.Title = had.Code, had.Title // not in this upload: kept
		}
		return out, true
	}
	c, ok := a.p.catalogue[id]
	if !ok || c.deleted {
		a.p.fail(ClassesFile, row.line, "courseSourcedId", "is not a course of courses.csv")
		return out, false
	}
	if c.code != "" {
		out.Code = &c.code
	}
	if t := strings.TrimSpace(c.title); t != "" {
		out.Title = &t
	}
	return out, true
}
