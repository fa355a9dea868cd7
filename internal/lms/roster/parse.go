package roster

import (
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
)

// plan is an upload read and checked for syntax: typed rows, each with the
// line it came from, and the problems found so far. apply checks it
// against the tenant's data and writes it.
type plan struct {
	files     []string
	users     []userRow
	roles     []roleRow
	classes   []classRow
	enrols    []enrolRow
	errors    []Issue
	warnings  []Issue
	nErrors   int
	nWarnings int
	fileLevel bool
	counts    Counts
	// Users and classes whose rows were bad: rows that refer to them are
	// not reported again.
	badUsers, badClasses map[string]bool
	// Users named with roles we import, and with roles we skip.
	withRole, skippedRole map[string]bool
	orgs                  []orgRow
	modes                 map[string]Mode // from manifest.csv; nil without one
	has                   map[string]bool // files the upload holds (and the manifest does not call absent)
	today                 time.Time       // role and enrolment dates are compared with it (UTC date)

	extra *extras // names, birth dates, guardians and terms (extras.go)
}

type userRow struct {
	line        int
	sourcedID   string
	username    string
	displayName string
	email       *string
	deleted     bool // status tobedeleted
	disabled    bool // enabledUser=false
}

// roleRow gives a user a role in an org, from users.csv (1.1 role and
// orgSourcedIds columns) or roles.csv (1.2).
type roleRow struct {
	file, field string // where the org came from, for messages
	line        int
	user        string        // user sourcedId
	role        identity.Role // admin, teacher or learner
	org         string        // school slug or id
	notNow      bool          // its beginDate is to come or its endDate has passed
}

type classRow struct {
	line      int
	sourcedID string
	title     string
	school    string
	deleted   bool
}

type enrolRow struct {
	line      int
	sourcedID string
	class     string
	user      string
	school    string // optional; must agree with the class's school
	role      course.Role
	deleted   bool
	notYet    bool // beginDate is to come: not made until then
}

func (p *plan) fail(file string, line int, field, format string, args ...any) {
	p.nErrors++
	if len(p.errors) < maxIssues {
		p.errors = append(p.errors, Issue{File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *plan) warn(file string, line int, field, format string, args ...any) {
	p.nWarnings++
	if len(p.warnings) < maxIssues {
		p.warnings = append(p.warnings, Issue{File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

// fileStep reads one file of an upload into the plan. parse runs them in
// order (orgs and the manifest first: other files' rows refer to them);
// a file the upload lacks is skipped.
type fileStep struct {
	name     string
	required []string
	parse    func(*plan, *table)
}

// fileSteps lists the files an import reads, in the order it reads them.
// Other files (demographics, terms, …) add their own step here.
var fileSteps = []fileStep{
	{ManifestFile, []string{"propertyName", "value"}, (*plan).parseManifest},
	{OrgsFile, []string{"sourcedId", "name", "type"}, (*plan).parseOrgs},
	{UsersFile, []string{"sourcedId", "username", "givenName", "familyName"}, (*plan).parseUsersAll},
	{RolesFile, []string{"userSourcedId", "role", "orgSourcedId"}, (*plan).parseRolesAll},
	{ClassesFile, []string{"sourcedId", "title", "schoolSourcedId"}, (*plan).parseClassesAll},
	{AcademicSessionsFile, []string{"sourcedId", "title", "type", "startDate", "endDate"}, (*plan).parseTerms},
	{EnrollmentsFile, []string{"sourcedId", "classSourcedId", "userSourcedId", "role"}, (*plan).parseEnrols},
	{DemographicsFile, []string{"sourcedId", "birthDate"}, (*plan).parseDemographics},
}

// parse reads every known file of an upload. Each file is optional, but
// an upload must hold at least one.
func parse(files map[string][]byte) *plan {
	p := &plan{files: []string{}, badUsers: map[string]bool{}, badClasses: map[string]bool{}, withRole: map[string]bool{}, skippedRole: map[string]bool{},
		today: time.Now().UTC().Truncate(24 * time.Hour)}
	for name := range files {
		if Known(name) {
			p.files = append(p.files, name)
		}
	}
	sort.Strings(p.files)
	if len(p.files) == 0 {
		p.fail("", 0, "", "the upload holds none of %s, %s, %s, %s", UsersFile, RolesFile, ClassesFile, EnrollmentsFile)
		p.fileLevel = true
		return p
	}
	for _, st := range fileSteps {
		data, ok := files[st.name]
		if !ok || p.modeOf(st.name) == Absent && st.name != ManifestFile {
			continue
		}
		t, issues := readTable(st.name, data, st.required...)
		for _, is := range issues {
			p.fail(is.File, is.Line, is.Field, "%s", is.Message)
			p.fileLevel = true
		}
		if t != nil {
			st.parse(p, t)
		}
	}
	p.checkManifest(files)
	p.skipUnrostered()
	return p
}

// skipUnrostered drops the users whose only roles are ones we do not import
// (a guardian, say) and who are on no class: their accounts arrive with the
// feature that needs them. A user with no role at all is imported; an
// admin gives them one.
func (p *plan) skipUnrostered() {
	enrolled := map[string]bool{}
	for _, e := range p.enrols {
		enrolled[e.user] = true
	}
	kept := p.users[:0]
	for _, u := range p.users {
		if !u.deleted && p.skippedRole[u.sourcedID] && !p.withRole[u.sourcedID] && !enrolled[u.sourcedID] {
			p.counts.People.Skipped++
			continue
		}
		kept = append(kept, u)
	}
	p.users = kept
}

// status reads the status column: active (or empty, as bulk files leave
// it) or tobedeleted.
func (p *plan) status(t *table, r row) (deleted, ok bool) {
	switch strings.ToLower(t.get(r, "status")) {
	case "", "active":
		return false, true
	case "tobedeleted":
		return true, true
	}
	p.fail(t.file, r.line, "status", "must be active, tobedeleted or empty")
	return false, false
}

// sourcedID reads the sourcedId column and checks it is unique in the file.
func (p *plan) sourcedID(t *table, r row, col string, seen map[string]int) (string, bool) {
	id := t.get(r, col)
	if !p.check(t, r, col, id, true, 255) {
		return "", false
	}
	if first, dup := seen[id]; dup {
		p.fail(t.file, r.line, col, "repeats the %s of line %d", col, first)
		return "", false
	}
	seen[id] = r.line
	return id, true
}

func (p *plan) parseUsers(t *table) {
	seen, names := map[string]int{}, map[string]int{}
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		if !ok || !ok2 {
			continue
		}
		u := userRow{line: r.line, sourcedID: id, deleted: deleted}
		if deleted { // only the sourcedId matters: the person is suspended
			p.users = append(p.users, u)
			continue
		}
		good := true
		switch strings.ToLower(t.get(r, "enabledUser")) {
		case "", "true":
		case "false":
			u.disabled = true
		default:
			p.fail(t.file, r.line, "enabledUser", "must be true or false")
			good = false
		}
		u.username = t.get(r, "username")
		if !p.check(t, r, "username", u.username, true, 254) {
			good = false
		} else if strings.ContainsAny(u.username, " \t\u00a0") {
			p.fail(t.file, r.line, "username", "must not contain spaces")
			good = false
		} else if first, dup := names[strings.ToLower(u.username)]; dup {
			p.fail(t.file, r.line, "username", "repeats the username of line %d", first)
			good = false
		} else {
			names[strings.ToLower(u.username)] = r.line
		}
		given, family := t.get(r, "preferredGivenName"), t.get(r, "preferredFamilyName")
		if given == "" {
			given = t.get(r, "givenName")
		}
		if family == "" {
			family = t.get(r, "familyName")
		}
		good = p.check(t, r, "givenName", given, true, 100) && good
		good = p.check(t, r, "familyName", family, false, 100) && good
		u.displayName = strings.TrimSpace(given + " " + family)
		if e := t.get(r, "email"); e != "" {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
				p.fail(t.file, r.line, "email", "must be a plain e-mail address")
				good = false
			}
			u.email = &e
		}
		// OneRoster 1.1 (and many 1.2 exports) give the role in users.csv.
		roleCol := "role"
		if !t.has(roleCol) && t.has("roles") {
			roleCol = "roles"
		}
		orgCol := "orgSourcedIds"
		orgs := list(t.get(r, orgCol))
		if len(orgs) == 0 && t.get(r, "primaryOrgSourcedId") != "" {
			orgCol, orgs = "primaryOrgSourcedId", list(t.get(r, "primaryOrgSourcedId"))
		}
		for _, v := range list(t.get(r, roleCol)) {
			errsBefore := p.nErrors
			role, ok := p.userRole(t.file, r.line, roleCol, v)
			if !ok && p.nErrors > errsBefore {
				good = false
				continue
			}
			if !ok {
				p.skippedRole[id] = true
				p.counts.Roles.Skipped++
				continue
			}
			p.withRole[id] = true
			if len(orgs) == 0 {
				p.fail(t.file, r.line, orgCol, "is required: a role is given in the school the user belongs to")
				good = false
			}
			for _, org := range orgs {
				p.roles = append(p.roles, roleRow{file: t.file, field: orgCol, line: r.line, user: id, role: role, org: org})
			}
		}
		if good {
			p.users = append(p.users, u)
		} else {
			p.badUsers[id] = true
		}
	}
}

// userRole maps a OneRoster user role to ours. Roles we do not hold
// (guardians arrive with a later feature) are skipped with a warning.
func (p *plan) userRole(file string, line int, field, v string) (identity.Role, bool) {
	switch strings.ToLower(v) {
	case "":
		p.fail(file, line, field, "is required")
		return "", false
	case "student":
		return identity.RoleLearner, true
	case "teacher", "aide": // a teaching assistant teaches here: there is no assistant role
		return identity.RoleTeacher, true
	case "administrator", "siteadministrator", "principal":
		return identity.RoleAdmin, true
	case "guardian", "parent", "relative": // guardians.go imports them where a school turns guardian accounts on
		return "", false
	case "proctor", "counselor", "districtadministrator", "systemadministrator":
		p.warn(file, line, field, "role %s is not imported; the row's other data is", v)
		return "", false
	}
	if strings.HasPrefix(v, "ext:") {
		p.warn(file, line, field, "extension role is not imported")
		return "", false
	}
	p.fail(file, line, field, "is not a OneRoster role")
	return "", false
}

func (p *plan) parseRoles(t *table) {
	for _, r := range t.rows {
		deleted, ok := p.status(t, r)
		if !ok {
			continue
		}
		user, org := t.get(r, "userSourcedId"), t.get(r, "orgSourcedId")
		okUser := p.check(t, r, "userSourcedId", user, true, 255)
		okOrg := p.check(t, r, "orgSourcedId", org, true, 255)
		if deleted {
			p.warn(t.file, r.line, "status", "roles are not removed by an import; an admin removes them by hand")
			p.counts.Roles.Skipped++
			continue
		}
		errsBefore := p.nErrors
		role, okRole := p.userRole(t.file, r.line, "role", t.get(r, "role"))
		if !okRole && p.nErrors == errsBefore {
			p.counts.Roles.Skipped++
			p.skippedRole[user] = true
		} else if okRole {
			p.withRole[user] = true
		}
		begins, ends, okDates := p.dates(t, r)
		if okUser && okOrg && okRole && okDates {
			p.roles = append(p.roles, roleRow{file: t.file, field: "orgSourcedId", line: r.line, user: user, role: role, org: org,
				notNow: !begins.IsZero() && begins.After(p.today) || !ends.IsZero() && ends.Before(p.today)})
		}
	}
}

func (p *plan) parseClasses(t *table) {
	seen := map[string]int{}
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		c := classRow{line: r.line, sourcedID: id, deleted: deleted, title: t.get(r, "title"), school: t.get(r, "schoolSourcedId")}
		ok3 := p.check(t, r, "title", c.title, !deleted, 200)
		ok4 := p.check(t, r, "schoolSourcedId", c.school, true, 255)
		if ok && ok2 && ok3 && ok4 {
			p.classes = append(p.classes, c)
		} else if id != "" {
			p.badClasses[id] = true
		}
	}
}

func (p *plan) parseEnrols(t *table) {
	seen, pairs := map[string]int{}, map[[2]string]int{}
	for _, r := range t.rows {
		id, ok := p.sourcedID(t, r, "sourcedId", seen)
		deleted, ok2 := p.status(t, r)
		e := enrolRow{line: r.line, sourcedID: id, deleted: deleted, class: t.get(r, "classSourcedId"), user: t.get(r, "userSourcedId"), school: t.get(r, "schoolSourcedId")}
		ok3 := p.check(t, r, "classSourcedId", e.class, true, 255)
		ok4 := p.check(t, r, "userSourcedId", e.user, true, 255)
		ok5 := p.check(t, r, "schoolSourcedId", e.school, false, 255)
		if !(ok && ok2 && ok3 && ok4 && ok5) {
			continue
		}
		begins, ends, okDates := p.dates(t, r)
		if !okDates {
			continue
		}
		if !ends.IsZero() && ends.Before(p.today) {
			e.deleted = true // ended: closed like a deletion
		}
		e.notYet = !begins.IsZero() && begins.After(p.today)
		switch v := t.get(r, "role"); strings.ToLower(v) {
		case "student":
			e.role = course.RoleLearner
		case "teacher", "aide": // a teaching assistant: courses have no assistant role
			e.role = course.RoleTeacher
		case "administrator", "proctor", "guardian", "parent", "relative", "counselor":
			p.warn(t.file, r.line, "role", "%s enrolments are not imported", v)
			p.counts.Enrolments.Skipped++
			continue
		default:
			p.fail(t.file, r.line, "role", "must be student, teacher or aide (administrator and proctor rows are skipped)")
			continue
		}
		key := [2]string{e.class, e.user}
		if first, dup := pairs[key]; dup && !e.deleted && !e.notYet {
			p.fail(t.file, r.line, "userSourcedId", "is already enrolled in this class on line %d", first)
			continue
		}
		if !e.deleted && !e.notYet {
			pairs[key] = r.line
		}
		p.enrols = append(p.enrols, e)
	}
}

// dates reads a row's optional beginDate and endDate (YYYY-MM-DD, as
// OneRoster writes them; a time after the date is ignored).
func (p *plan) dates(t *table, r row) (begins, ends time.Time, ok bool) {
	ok = true
	read := func(col string) time.Time {
		v := t.get(r, col)
		if v == "" {
			return time.Time{}
		}
		if len(v) > 10 {
			v = v[:10]
		}
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			p.fail(t.file, r.line, col, "must be a date as YYYY-MM-DD")
			ok = false
		}
		return d
	}
	return read("beginDate"), read("endDate"), ok
}
