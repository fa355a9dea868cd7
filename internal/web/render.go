package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/privacy"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
	"github.com/schoolcloud/lms/internal/request"
)

//go:embed templates
var templateFS embed.FS

// templates holds one template set per page: the layout and shared
// partials, plus the page's own file defining "title" and "content".
type templates struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<30:
			return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d bytes", n)
	},
	// trusted marks HTML that was sanitised when it was stored (course
	// pages, through bluemonday); nothing else may use it.
	"trusted":    func(s string) template.HTML { return template.HTML(s) },
	"fieldError": func(errs map[string]string, field string) string { return errs[field] },
	"add":        func(a, b int) int { return a + b },
	"deref": func(v any) any {
		switch p := v.(type) {
		case *string:
			if p != nil {
				return *p
			}
		case *float64:
			if p != nil {
				return *p
			}
		case *uuid.UUID:
			if p != nil {
				return *p
			}
		}
		return ""
	},
	"importStatus": func(s string) string { return orWords(importStatuses[s], s) },
	"files":        roster.Files,
	"tallies": func(c roster.Counts) map[string]roster.Tally {
		return map[string]roster.Tally{"People": c.People, "Roles": c.Roles, "Courses": c.Courses, "Enrolments": c.Enrolments,
			"Parents' links to children": c.Guardianships, "Terms": c.Terms}
	},
	"kindName":   func(k string) string { return orWords(kindNames[k], k) },
	"statusName": func(s assignment.Status) string { return orWords(statusNames[s], string(s)) },
	"minutes": func(sec int) string {
		if sec < 60 {
			return "under a minute"
		}
		return strconv.Itoa(sec/60) + " min"
	},
	// ordered lists field errors in the form's order, then any others.
	"ordered": func(errs map[string]string, fields []string) [][2]string {
		var out [][2]string
		seen := map[string]bool{}
		for _, f := range fields {
			if m, ok := errs[f]; ok {
				out = append(out, [2]string{f, m})
				seen[f] = true
			}
		}
		var rest []string
		for f := range errs {
			if !seen[f] {
				rest = append(rest, f)
			}
		}
		sort.Strings(rest)
		for _, f := range rest {
			out = append(out, [2]string{f, errs[f]})
		}
		return out
	},
	// title capitalises a word: a string, or a typed state or role (a
	// template passes those as they are, and they are not strings).
	"title": func(v any) string { s := fmt.Sprint(v); return strings.ToUpper(s[:1]) + s[1:] },
	// field names one form field for the "input" partial.
	"field": func(v view, name, label, hint, typ string) formField {
		return formField{V: v, Name: name, Label: label, Hint: hint, Type: typ}
	},
	"regionName": func(code string) string { return tenant.Regions[code] },
	"areaList": func(codes []string) string {
		var out []string
		for _, c := range codes {
			for _, a := range support.AreaNames {
				if a.Code == c {
					out = append(out, strings.ToLower(a.Label[:1])+a.Label[1:])
				}
			}
		}
		return strings.Join(out, "; ")
	},
	"reasonName": func(code string) string {
		for _, r := range support.Reasons {
			if r.Code == code {
				return r.Label
			}
		}
		return says("", code)
	},
	"stateName": func(s support.State) string { return orWords(stateNames[s], string(s)) },
	// says is a status in words for its kind (words.go).
	"says":        says,
	"countryName": support.CountryName,
	"areas":       func() any { return support.AreaNames },
	"list":        func(v ...string) []string { return v },
	// dict builds a partial's arguments from key, value pairs.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"join": func(v []string) string { return strings.Join(v, "; ") },
	// forSchools is a registry text with "tenant" in a school's words.
	"forSchools": privacy.ForSchools,
	// forSchoolsList is a list of registry texts, joined, in a school's words.
	"forSchoolsList": func(v []string) string { return privacy.ForSchools(strings.Join(v, "; ")) },
	// privacyWords is a list of data categories or lawful bases in words.
	"privacyWords": func(v []string) string {
		out := make([]string, len(v))
		for i, c := range v {
			out[i] = privacy.Words(c)
		}
		return strings.Join(out, "; ")
	},
	"has":       func(v []string, x string) bool { return slices.Contains(v, x) },
	"scale":     func() []int { return []int{1, 2, 3, 4, 5} },
	"same":      func(a, b uuid.UUID) bool { return a == b },
	"hoursLeft": hoursLeft,
	"hoursAgo":  hoursAgo,
	"reasons":   func() any { return support.Reasons },
	// isView tells the admin menu whether it was given the page's view
	// (with its Admin links) or, from an older page, the page's data.
	"isView": func(v any) bool { _, ok := v.(view); return ok },
}

var stateNames = map[support.State]string{support.StatePending: "Waiting for a decision", support.StateApproved: "Access in force",
	support.StateDenied: "Denied", support.StateRevoked: "Ended early", support.StateExpired: "Lapsed undecided",
	support.StateEnded: "Access ended"}

// formField is what the "input" partial renders.
type formField struct {
	V                       view
	Name, Label, Hint, Type string
}

// mustParse parses every page for one time zone.
func mustParse(loc *time.Location) *templates {
	base := template.Must(template.New("").Funcs(funcs).Funcs(zoneFuncs(loc)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	t := &templates{byName: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t.byName[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, p))
	}
	return t
}

var kindNames = map[string]string{"page": "page", "file": "file", "video": "video", "audio": "audio", "link": "link to another website", "assignment": "assignment"}

var importStatuses = map[string]string{"applied": "Imported", "rejected": "Rejected: nothing imported", "dry_run": "Checked only",
	"held": "Waiting for an admin to confirm", "discarded": "Discarded: nothing imported"}

var statusNames = map[assignment.Status]string{assignment.StatusSubmitted: "Handed in", assignment.StatusUnmarked: "Not marked yet",
	assignment.StatusMarked: "Marked, not released", assignment.StatusReleased: "Mark released"}

// view is what every page template receives.
type view struct {
	Title  string
	Me     *viewer
	Nav    []navLink
	CSRF   string
	Tenant string // the tenant segment of the URL, for links
	Flash  string
	Errors map[string]string // field → message, for forms
	Fields []string          // the form's fields in page order, for the error summary
	Form   map[string]string // values to show again after an error
	Data   any
	// Reading is set when processor staff read a school's page under a
	// grant or order: a banner says so, and forms are not offered.
	Reading *support.Reading
	// Wide is set when the viewer acts for the whole tenant: not a
	// school's own admin in a trust, who is not offered trust-wide pages.
	Wide bool
	// Admin is the school administration menu: the pages the viewer may
	// open (adminMenu).
	Admin []navLink
}

type viewer struct {
	Name  string
	Staff bool
}

type navLink struct {
	Label, Href string
	Current     bool
}

// render writes page name with data inside the layout.
func (s *Site) render(c *gin.Context, status int, name string, v view) {
	t, ok := s.pages.in(s.zone(c)).byName[name]
	if !ok {
		panic("web: no template " + name)
	}
	if v.Me == nil {
		s.fillChrome(c, &v)
	}
	if v.Flash == "" {
		v.Flash = flashes[c.Query("done")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		slog.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Something went wrong on our side (request id "+request.RequestID(c)+")."))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fillChrome sets who is signed in, their CSRF token and their navigation.
func (s *Site) fillChrome(c *gin.Context, v *view) {
	p := request.Principal(c)
	if p.ID == [16]byte{} {
		return
	}
	ctx := c.Request.Context()
	v.CSRF = p.CSRF
	v.Wide = p.Kind == identity.KindStaff || s.wide(c, p)
	if p.Kind == identity.KindStaff {
		v.Me = &viewer{Name: "Processor staff", Staff: true}
		if st, err := s.d.Identity.StaffByID(ctx, p.ID); err == nil {
			v.Me.Name = st.DisplayName
		}
		v.Nav = []navLink{{Label: "Tenants", Href: "/platform"}}
		if s.allowed(c, p, "support-access", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Support requests", Href: "/platform/support"})
		}
		v.Nav = append(v.Nav, navLink{Label: "Sub-processors", Href: "/platform/sub-processors"})
		if s.allowed(c, p, "staff", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Staff", Href: "/platform/staff"})
		}
		if s.allowed(c, p, "legal-order", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Legal obligations", Href: "/platform/legal"}, navLink{Label: "Breaches", Href: "/platform/breaches"})
		}
		v.Nav = append(v.Nav, navLink{Label: "Two-step sign-in", Href: "/account/two-step"})
		if sc, ok := request.ReadingScope(c); ok {
			if r, err := s.d.Support.ReadingOf(ctx, sc); err == nil {
				v.Reading = &r
				v.Tenant = c.Param("tenant")
			}
		}
	} else {
		v.Me = &viewer{Name: "Member"}
		if v.Tenant == "" {
			v.Tenant = c.Param("tenant")
		}
		if v.Tenant == "" {
			v.Tenant, _ = s.d.Tenants.SlugOf(ctx, p.TenantID)
		}
		if person, err := s.d.Identity.GetPerson(ctx, accessMember(p), p.ID); err == nil {
			v.Me.Name = person.DisplayName
		}
		base := "/t/" + v.Tenant
		v.Admin = s.adminMenu(c, p, base, v.Wide)
		if s.allowed(c, p, "children", "read") {
			v.Nav = append(v.Nav, navLink{Label: "My children", Href: base + "/my/children"})
		}
		if s.allowed(c, p, "course", "read") {
			v.Nav = append(v.Nav, navLink{Label: "My courses", Href: base + "/courses"})
		}
		if s.allowed(c, p, "todo", "read") {
			v.Nav = append(v.Nav, navLink{Label: "To do", Href: base + "/todo"})
		}
		if s.allowed(c, p, "to-mark", "read") {
			v.Nav = append(v.Nav, navLink{Label: "To mark", Href: base + "/to-mark"})
		}
		if s.allowed(c, p, "calendar", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Calendar", Href: base + "/calendar"})
		}
		if s.allowed(c, p, "person", "write") {
			v.Nav = append(v.Nav, navLink{Label: "School administration", Href: base + "/admin"})
		} else if s.allowed(c, p, "support-request", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Support access", Href: base + "/admin/support"})
		}
		// Learners (mark read, not write) see their grades across courses.
		if s.allowed(c, p, "mark", "read") && !s.allowed(c, p, "mark", "write") {
			v.Nav = append(v.Nav, navLink{Label: "Grades", Href: base + "/grades"})
		}
		if s.allowed(c, p, "survey", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Surveys", Href: base + "/surveys"})
		}
		if s.allowed(c, p, "tutee", "read") {
			v.Nav = append(v.Nav, navLink{Label: "My tutees", Href: base + "/tutees"})
		}
		if s.allowed(c, p, "my-data", "read") {
			v.Nav = append(v.Nav, navLink{Label: "Messages", Href: base + "/my/inbox"}, navLink{Label: "My data", Href: base + "/my/privacy"})
		}
		if s.allowed(c, p, "notification", "read") {
			v.Nav = append(v.Nav, s.notificationsLink(c, p, base))
		}
		v.Nav = append(v.Nav, navLink{Label: "Two-step sign-in", Href: "/account/two-step"}, navLink{Label: "Where you are signed in", Href: "/account/sessions"})
	}
	path := c.Request.URL.Path
	best := -1
	for i, n := range v.Nav {
		if strings.HasPrefix(path, n.Href) && (best < 0 || len(n.Href) > len(v.Nav[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		v.Nav[best].Current = true
	}
}

// allowed asks casbin whether the member may (object, action) anywhere in
// their tenant, for navigation only; every page checks again.
func (s *Site) allowed(c *gin.Context, p identity.Principal, object, action string) bool {
	g, err := s.d.Authz.Decide(c.Request.Context(), p, p.TenantID, object, action)
	return err == nil && g.Allowed
}

// Error renders the friendly error page (request.Pages).
func (s *Site) Error(c *gin.Context, status int, detail string) {
	words, ok := errorWords[status]
	if !ok {
		words = [2]string{"Something went wrong", "Try again in a moment. If it keeps happening, tell your school's IT contact and quote the request id."}
	}
	s.render(c, status, "error", view{Title: words[0], Data: map[string]string{"Detail": detail, "Hint": words[1], "RequestID": request.RequestID(c), "Status": fmt.Sprint(status)}})
}

// errorWords are the error page's title and hint by status.
var errorWords = map[int][2]string{
	http.StatusBadRequest:         {"Please check what you entered", "Go back, correct it and try again."},
	http.StatusForbidden:          {"That is not allowed", "If you think it should be, ask your school's administrator."},
	http.StatusNotFound:           {"Page not found", "It may have been moved or removed, or you may not have access to it."},
	http.StatusConflict:           {"That could not be done now", "Something changed in the meantime. Reload the page and try again."},
	http.StatusTooManyRequests:    {"Too many attempts", "Wait a little and try again."},
	http.StatusMethodNotAllowed:   {"That is not possible here", "Use the links and buttons on the page."},
	http.StatusServiceUnavailable: {"Briefly unavailable", "Part of the service cannot be reached just now. Try again in a minute."},
}

// flashes are the fixed messages a redirect after a form may show
// (?done=key), so no cookie but the session is ever needed. One literal:
// the compiler refuses a key given twice, and nothing changes it.
var flashes = map[string]string{
	"signed-out":          "You have signed out.",
	"two-step-off":        "Two-step sign-in is off.",
	"two-step-reset":      "Their two-step sign-in is reset and their sessions ended.",
	"submitted":           "Your work has been handed in.",
	"marked":              "The mark has been saved.",
	"released":            "Marks and feedback are now visible to learners.",
	"released-chosen":     "The ticked learners' marks and feedback are now visible to them.",
	"assignment-set":      "The assignment is set.",
	"assignment-saved":    "The assignment is saved.",
	"extra-time":          "The extra time is saved. The learner's due date on this assignment has moved.",
	"marked-last":         "The mark has been saved. That was the last learner who handed in.",
	"arrangement-set":     "The extra time is saved. It applies to every assignment of this learner.",
	"posted":              "Your post has been added.",
	"created":             "Created.",
	"saved":               "Saved.",
	"unlocked":            "Unlocked: they can sign in again now.",
	"role-added":          "The role has been given.",
	"enrolled":            "Enrolled.",
	"contract":            "The contract end date has been saved.",
	"tenant-made":         "The tenant has been created.",
	"thread":              "Your thread has been started.",
	"agreement-signed":    "Signed. The processor may now ask for pseudonymised copies until the end date.",
	"agreement-withdrawn": "Withdrawn. No further copies can be made, and the copies made under it are removed.",
	"extract-queued":      "The copy is queued; its progress shows below.",
	"answer-saved":        "Answer saved.",
	"handed-in":           "Handed in.",
	"survey-answered":     "Thank you: your answers are in.",
	"meeting-saved":       "Meeting recorded.",
	"rated":               "Your ratings are saved.",
	"answer-marked":       "Mark saved.",
	"quiz-released":       "Results released: learners see their scores and feedback now.",
	"message-sent":        "Sent.",
	"shared":              "Shared with your tutor and the staff you named.",
	"withdrawn":           "Withdrawn: nobody sees it any more.",
	"question-added":      "Question added to the bank.",
	"quiz-set":            "Quiz set.",
	"survey-set":          "Survey set.",
	"peer-set":            "Peer assessment set: the group members can rate each other now.",
	"tutor-assigned":      "Tutor assigned.",
	"tutor-ended":         "Tutorship ended: the tutor no longer sees this learner.",
	"photo-set":           "Photo saved.",
	"my-request":          "Your request is sent to the school. It must answer within one month.",
	"my-consent":          "Saved. It applies from now.",
	"my-export":           "Your export is being made. The download appears below when it is ready.",
	"password-link-sent":  "A link to set a password is on its way to their email address. It works once, for 72 hours.",
	"order-recorded":      "The legal obligation is recorded. You may read the areas it covers, read-only, until it lapses.",
	"order-confirmed":     "Confirmed. The operator who recorded it may now read what it covers.",
	"notice-given":        "The school has been told, and now sees the order and every read under it.",
	"breach-recorded":     "The breach is recorded and each school affected has been told.",
	"deletion-started":    "The deletion is running. Its progress shows below; the certificate follows when it is done.",
	"backed-up":           "The backup is made and in the catalogue below.",
	"restore-queued":      "The restore is queued. Its outcome shows below; the new tenant appears in the list when it is done.",
	"staff-linked":        "Saved. From their next request, schools that did not authorise that sub-processor refuse them.",
	"staff-unlinked":      "Saved. They are this processor's own staff again.",
	"requested":           "Your request has been sent to the school's access approvers.",
	"sp-added":            "Added. Every school has been told and may object.",
	"request-opened":      "The request is recorded. It is due one calendar month after it was received.",
	"request-updated":     "The request is updated.",
	"export-started":      "The export is being made. Its progress shows below.",
	"erased":              "The person is erased. What the school must keep is listed below.",
	"privacy-updated":     "Saved.",
	"consent-recorded":    "The consent is recorded.",
	"guardian-linked":     "The guardian is linked.",
	"retention-saved":     "The retention periods are saved. Run a dry run to see what they would remove.",
	"dry-run":             "The dry run is done: nothing was removed. Its report is below.",
	"enforcing":           "Retention is enforced from now on: the daily job removes what has expired.",
	"hold-placed":         "The hold is placed: retention will not remove what it names.",
	"hold-released":       "The hold is released.",
	"person-added":        "The person has been added.",
	"role-removed":        "The role has been taken away.",
	"unenrolled":          "Taken off the course.",
	"course-added":        "The course has been added as a draft; its teachers publish it.",
	"approved":            "Approved. Access has started and ends at the time shown; you can end it sooner.",
	"denied":              "Denied. The support person has been told.",
	"revoked":             "Access ended. Their next page is refused.",
	"sp-decided":          "Your decision has been recorded.",
	"tenant-export":       "The full export is being made. Its progress shows below; it can take a while for a large school.",
	"course-made":         "The course is made, as a draft: learners see it once you publish it.",
	"course-published":    "Published: the course's learners see it now.",
	"course-unpublished":  "Unpublished: learners no longer see the course.",
	"course-archived":     "Archived: the course is kept, read-only, out of everyone's way.",
	"section-added":       "Section added.",
	"section-deleted":     "Section deleted, with everything in it.",
	"moved":               "Moved.",
	"item-added":          "Added.",
	"files-added":         "Files added.",
	"file-replaced":       "File replaced.",
	"item-shown":          "Shown to learners.",
	"item-hidden":         "Hidden from learners.",
	"item-scheduled":      "Scheduled: learners see it from the date shown.",
	"item-deleted":        "Deleted.",
	"forum-opened":        "The forum is open: everyone on the course can start threads and reply.",
	"forum-closed":        "The forum is closed: learners read it but post no more.",
	"forum-reopened":      "The forum is open again.",
	"forum-deleted":       "The forum has been deleted, with its threads and posts.",
	"thread-pinned":       "Pinned: the thread stays at the top of the forum.",
	"thread-unpinned":     "Unpinned.",
	"thread-locked":       "Locked: learners can no longer reply.",
	"thread-unlocked":     "Unlocked: learners can reply again.",
	"thread-deleted":      "The thread has been deleted.",
	"post-edited":         "Your post has been changed.",
	"post-deleted":        "The post has been deleted.",
	"post-hidden":         "The post is hidden. Its author sees why; the reports of it are closed.",
	"post-shown":          "The post is shown again.",
	"reported":            "Thank you: the course's teachers have been told.",
	"report-dismissed":    "The report is dismissed: the post stays.",
	"learners-enrolled":   "The ticked learners are on the course now.",
	"group-enrolled":      "Everyone in it who was not on the course yet is on it now.",
}
