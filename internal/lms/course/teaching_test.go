package course_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// teachingBundle is one school with a course, its teacher and learners, and
// the school's admin.
type teachingBundle struct {
	svc   *course.Service
	c     lmstest.Course
	admin uuid.UUID
}

func teachingSetup(t *testing.T) teachingBundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	r, err := tenant.NewService(db.App, nil, true).Apply(ctx, apptest.Manifest("tenant-a", "uk"), uuid.Nil)
	require.NoError(t, err)
	b := teachingBundle{svc: course.NewService(db.App, nil), c: lmstest.NewCourse(t, db.App, r.TenantID, "a-")}
	require.NoError(t, access.Transact(ctx, db.App, access.System(b.c.Tenant, "test-setup"), func(tx *gorm.DB) error {
		p, err := identity.CreatePersonTx(tx, b.c.Tenant, identity.NewPerson{Username: "head", DisplayName: "Head"})
		require.NoError(t, err)
		b.admin = p.ID
		_, err = identity.AssignRoleTx(tx, b.c.Tenant, p.ID, identity.RoleAdmin, &b.c.School)
		return err
	}))
	return b
}

// A school decides whether its teachers make courses (default yes); its
// admins always may, and only they change the setting.
func TestTeachersMayCreateCoursesWhereTheSchoolAllows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := teachingSetup(t)
	teacher, admin := b.c.Teacher.Scope(b.c.Tenant), access.Member(b.c.Tenant, b.admin)

	t.Run("by default a teacher makes a course and teaches it", func(t *testing.T) {
		c, err := b.svc.Create(ctx, teacher, course.NewCourse{SchoolID: b.c.School, Title: "Year 7 science"})
		require.NoError(t, err)
		require.Equal(t, course.RoleTeacher, c.MyRole)
		require.Equal(t, course.Draft, c.Status)
	})
	t.Run("a teacher may not change the setting", func(t *testing.T) {
		require.ErrorIs(t, b.svc.SetTeachersCreate(ctx, teacher, b.c.School, false), errs.ErrForbidden)
	})
	t.Run("when the school says no, teachers may not but admins still may", func(t *testing.T) {
		require.NoError(t, b.svc.SetTeachersCreate(ctx, admin, b.c.School, false))
		may, err := b.svc.TeachersCreate(ctx, admin, b.c.School)
		require.NoError(t, err)
		require.False(t, may)
		_, err = b.svc.Create(ctx, teacher, course.NewCourse{SchoolID: b.c.School, Title: "Refused"})
		require.ErrorIs(t, err, errs.ErrForbidden)
		_, err = b.svc.Create(ctx, admin, course.NewCourse{SchoolID: b.c.School, Title: "By the admin"})
		require.NoError(t, err)
	})
}

// A scheduled item stays hidden from learners until its date, however it
// is asked for; its teachers see it all along.
func TestScheduledItemsAppearOnTheirDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := teachingSetup(t)
	teacher, learner := b.c.Teacher.Scope(b.c.Tenant), b.c.Learner.Scope(b.c.Tenant)
	body := "<p>Next week</p>"
	later := time.Now().Add(48 * time.Hour)
	it, err := b.svc.AddItem(ctx, teacher, b.c.ID, course.NewItem{SectionID: b.c.Section, Kind: course.KindPage, Title: "Week 2", BodyHTML: &body, VisibleFrom: &later})
	require.NoError(t, err)

	outline := func(sc access.Scope) []course.ItemSummary {
		v, err := b.svc.Page(ctx, sc, b.c.ID)
		require.NoError(t, err)
		return v.Sections[0].Items
	}
	require.Len(t, outline(teacher), 1)
	require.Empty(t, outline(learner))
	_, err = b.svc.GetItem(ctx, learner, it.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)

	_, err = b.svc.UpdateItem(ctx, teacher, it.ID, course.ItemPatch{VisibleFrom: &later, Unschedule: true})
	require.ErrorIs(t, err, errs.ErrInvalid)

	earlier := time.Now().Add(-time.Minute)
	_, err = b.svc.UpdateItem(ctx, teacher, it.ID, course.ItemPatch{VisibleFrom: &earlier})
	require.NoError(t, err)
	require.Len(t, outline(learner), 1)
	_, err = b.svc.GetItem(ctx, learner, it.ID)
	require.NoError(t, err)

	hidden := false
	_, err = b.svc.UpdateItem(ctx, teacher, it.ID, course.ItemPatch{Published: &hidden, Unschedule: true})
	require.NoError(t, err)
	require.Empty(t, outline(learner))
}

// The sanitiser, not the editor, decides what a page may hold: the
// editor's headings, lists, tables, images and videos from the two players
// stay; frames from anywhere else and scripts go.
func TestSanitiserKeepsWhatTheEditorMakes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`<h2>Cells</h2><ol><li>One</li></ol>`:               `<h2>Cells</h2><ol><li>One</li></ol>`,
		`<table><tbody><tr><td>a</td></tr></tbody></table>`: `<table><tbody><tr><td>a</td></tr></tbody></table>`,
		`<iframe class="ql-video" frameborder="0" allowfullscreen="true" src="https://www.youtube-nocookie.com/embed/abc_12"></iframe>`: `<iframe class="ql-video" allowfullscreen="true" src="https://www.youtube-nocookie.com/embed/abc_12"></iframe>`,
		`<iframe src="https://player.vimeo.com/video/123"></iframe>`:                                                                    `<iframe src="https://player.vimeo.com/video/123"></iframe>`,
		`<iframe src="https://evil.example/embed/x"></iframe>`:                                                                          ``,
		`<iframe src="https://www.youtube.com/embed/x/../../evil"></iframe>`:                                                            ``,
		`<p onclick="steal()">Hi<script>steal()</script></p>`:                                                                           `<p>Hi</p>`,
	} {
		require.Equal(t, want, course.Sanitise(in), in)
	}
}

// An image the teacher gave no description is marked decorative.
func TestImagesAlwaysHaveADescription(t *testing.T) {
	t.Parallel()
	require.Equal(t, `<p><img alt="" src="/x.png"></p>`, course.Sanitise(`<p><img src="/x.png"></p>`))
	require.Equal(t, `<img src="/x.png" alt="A cell">`, course.Sanitise(`<img src="/x.png" alt="A cell">`))
}
