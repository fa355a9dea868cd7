package web

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/web/webtest"
)

// Codes read as words: a known action as its sentence, an unknown one as
// a general sentence, a status by its kind or, unknown, as words; a field
// error without its field's name; a route by its summary without the
// developers' asides. None of it has a developer string.
func TestCodesReadAsWords(t *testing.T) {
	s := &Site{words: describe([]request.Route{
		{Method: "GET", Path: "/t/:tenant/admin/people", Summary: "People (paged)", Page: true},
		{Method: "GET", Path: "/api/v1/t/:tenant/courses", Summary: "Courses I teach; filters school_id, status, role, q"},
		{Method: "GET", Path: "/api/v1/t/:tenant/subject-requests", Summary: "The queue, most urgent first (?open=true, ?person=)"},
	})}
	n := &namer{s: s, ctx: context.Background(), names: map[string]string{}}
	staff := uuid.New()
	for _, c := range []struct {
		r    audit.Record
		want string
	}{
		{audit.Record{ActorKind: "staff", ActorID: &staff, ActorName: "Sam Support", Action: "support.read", Target: "GET /t/tenant-a/admin/people?cursor=x", Ticket: "SD-4711", ApproverName: "Ada Head"},
			"Sam Support read the page “People” under ticket SD-4711, approved by Ada Head."},
		{audit.Record{ActorKind: "staff", ActorID: &staff, ActorName: "Sam Support", Action: "support.refused", Target: "GET /api/v1/t/tenant-a/courses"},
			"Sam Support tried to read “Courses I teach” through an app or another system and was refused."},
		{audit.Record{ActorKind: "member", ActorName: "Ada Head", Action: "consent.given", Detail: map[string]string{"purpose": "photo-video", "by": "guardian"}},
			"Ada Head gave consent for photos and video as a parent or carer."},
		{audit.Record{ActorKind: "member", ActorName: "ada head", Action: "consent.withdrawn", Detail: map[string]string{"purpose": "no-such-purpose"}},
			"ada head withdrew consent for a purpose no longer offered."},
		{audit.Record{ActorKind: "member", ActorName: "Ada Head", Action: "timetable.imported", Target: "timetable 3"},
			"Ada Head did something the log records as “timetable imported”."},
		{audit.Record{ActorKind: "member", ActorName: "Ada Head", Action: "person.unlocked", Target: "person not-an-id"},
			"Ada Head unlocked the account of a person (locked after failed sign-ins)."},
		{audit.Record{ActorKind: "system", ActorName: "backup job", Action: "backup.made"}, "A backup of the school’s data was made."},
		{audit.Record{ActorKind: "staff", ActorName: "lms tenants apply (command line)", Action: "contract.manifest-applied"}, "The processor applied the contract’s settings."},
	} {
		got := n.sentence(c.r)
		require.Equal(t, c.want, got)
		require.Empty(t, webtest.DeveloperStrings("<p>"+got+"</p>"))
	}
	require.Equal(t, "A part of the platform no longer offered", s.words.area("GET /gone/:x"))
	require.Equal(t, "The queue, most urgent first", s.words.area("GET /api/v1/t/:tenant/subject-requests"))
	require.Equal(t, "Received, not started", says("request", "open"))
	require.Equal(t, "Waiting for a parent", says("request", "waiting_for-a.parent"), "an unknown status in words")
	require.Equal(t, "Access (a copy of their data)", says("request-kind", "access"))
	require.Equal(t, "Handed in", orWords(statusNames["submitted"], "submitted"))
	require.Equal(t, "Sent back", orWords(statusNames["sent-back"], "sent-back"), "a status the table lacks, in words")

	require.Equal(t, "must be after the opening date; give a closing date or no late work, not both; give a course",
		plainMessage("must be after opens_at; give a closing date or no_late_work, not both; give a course_id"))
	err := plainError(errs.FieldErrors{{Field: "guardian_id", Message: "a child under 13 needs a guardian's consent: name the linked guardian who signed"},
		{Field: "options[2].text", Message: "must be 1-200 characters"}, {Field: "title", Message: "Give a title."}})
	require.ErrorIs(t, err, errs.ErrInvalid)
	require.Equal(t, "Guardian: a child under 13 needs a guardian's consent: name the linked guardian who signed. The text must be 1-200 characters. Give a title.", errs.Public(err))
	require.Empty(t, webtest.DeveloperStrings("<p>"+errs.Public(err)+"</p>"))
}
