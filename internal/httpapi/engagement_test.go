package httpapi_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// summaryPage is a page of engagement summaries, by person id.
type summaryPage struct {
	Items []struct {
		PersonID     string         `json:"person_id"`
		LastAccessAt *string        `json:"last_access_at"`
		Counts       map[string]int `json:"counts"`
		Seconds      int            `json:"seconds"`
		ItemsTotal   int            `json:"items_total"`
		ItemsOpened  int            `json:"items_opened"`
		NotOpened    int            `json:"items_not_opened"`
		Flagged      bool           `json:"flagged"`
		FlagReasons  []string       `json:"flag_reasons"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// backdate moves a learner's enrolment and activity on the course days
// into the past, as if time had passed.
func backdate(t *testing.T, e *apptest.Env, person uuid.UUID, days int) {
	t.Helper()
	err := access.Transact(context.Background(), e.DB.App, access.System(e.A.ID, "test-backdate"), func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE enrolments SET created_at = created_at - make_interval(days => ?) WHERE person_id = ?`, days, person).Error; err != nil {
			return err
		}
		return tx.Exec(`UPDATE activity_events SET occurred_at = occurred_at - make_interval(days => ?) WHERE person_id = ?`, days, person).Error
	})
	require.NoError(t, err)
}

// A learner's heartbeats and views show in their teacher's summary: last
// access, counts, time and the items not opened. The school's thresholds
// flag learners, and changing them changes the flag.
func TestEngagementSummaryAndFlags(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "eng-")
	base := "/api/v1/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)

	item := func(title string, published bool) string {
		r := teacher.Expect(201, "POST", course+"/items", map[string]any{"section_id": fx.Section, "kind": "page", "title": title, "body_html": "<p>" + title + "</p>", "published": published})
		return r.JSON()["id"].(string)
	}
	cells, atoms, draft := item("Cells", true), item("Atoms", true), item("Draft", false)

	// The learner opens one item and their client reports time.
	require.Equal(t, 200, learner.Do("GET", base+"/items/"+cells, nil).Status)
	require.Equal(t, 204, learner.Do("POST", course+"/activity", map[string]any{"kind": "access", "seconds": 120}).Status)
	require.Equal(t, 204, learner.Do("POST", course+"/activity", map[string]any{"kind": "access", "item_id": cells, "seconds": 30}).Status)
	// Bad beats are 400s naming the field; staff beats record nothing.
	require.Equal(t, []string{"item_id"}, fieldsOf(t, learner.Do("POST", course+"/activity", map[string]any{"kind": "access", "item_id": draft})))
	require.Equal(t, []string{"item_id"}, fieldsOf(t, learner.Do("POST", course+"/activity", map[string]any{"kind": "view"})))
	require.Equal(t, []string{"kind", "seconds"}, fieldsOf(t, learner.Do("POST", course+"/activity", map[string]any{"kind": "nap", "seconds": 3601})))
	require.Equal(t, 204, teacher.Do("POST", course+"/activity", map[string]any{"kind": "access", "seconds": 60}).Status)
	outsider := e.Login(e.A.Slug, fx.Outsider.Username, lmstest.Password)
	require.Equal(t, 404, outsider.Do("POST", course+"/activity", map[string]any{"kind": "access"}).Status)

	list := func(c *apptest.Client, query string) summaryPage {
		t.Helper()
		r := c.Expect(200, "GET", course+"/engagement"+query, nil)
		var p summaryPage
		r.Decode(&p)
		return p
	}
	p := list(teacher, "")
	require.Len(t, p.Items, 2, "learners only")
	byID := map[string]int{}
	for i, s := range p.Items {
		byID[s.PersonID] = i
	}
	l1, l2 := p.Items[byID[fx.Learner.ID.String()]], p.Items[byID[fx.Learner2.ID.String()]]
	require.NotNil(t, l1.LastAccessAt)
	require.Equal(t, map[string]int{"access": 2, "view": 1, "submit": 0, "post": 0}, l1.Counts)
	require.Equal(t, 150, l1.Seconds)
	require.Equal(t, 2, l1.ItemsTotal, "published items only")
	require.Equal(t, 1, l1.ItemsOpened)
	require.Equal(t, 1, l1.NotOpened)
	require.False(t, l1.Flagged, "1 of 2 is not under the default 50%%")
	require.Empty(t, l1.FlagReasons)
	require.Nil(t, l2.LastAccessAt)
	require.True(t, l2.Flagged)
	require.Equal(t, []string{"opened 0 of 2 published items (0%; the school's threshold is 50%)"}, l2.FlagReasons)

	// One learner's detail lists every published item and those not opened.
	r := teacher.Expect(200, "GET", course+"/engagement/"+fx.Learner.ID.String(), nil)
	var d struct {
		Items []struct {
			ItemID  string `json:"item_id"`
			Opened  bool   `json:"opened"`
			Views   int    `json:"views"`
			Seconds int    `json:"seconds"`
		} `json:"items"`
		NotOpened []struct {
			ItemID string `json:"item_id"`
			Title  string `json:"title"`
		} `json:"not_opened"`
	}
	r.Decode(&d)
	require.Len(t, d.Items, 2)
	require.Equal(t, cells, d.Items[0].ItemID)
	require.True(t, d.Items[0].Opened)
	require.Equal(t, 1, d.Items[0].Views)
	require.Equal(t, 30, d.Items[0].Seconds, "time reported on an opened item counts towards it")
	require.Len(t, d.NotOpened, 1)
	require.Equal(t, atoms, d.NotOpened[0].ItemID)
	require.Equal(t, "Atoms", d.NotOpened[0].Title)
	require.Equal(t, 404, teacher.Do("GET", course+"/engagement/"+fx.Teacher.ID.String(), nil).Status, "not a learner")

	// Filters and pages.
	p = list(teacher, "?flagged=true")
	require.Len(t, p.Items, 1)
	require.Equal(t, fx.Learner2.ID.String(), p.Items[0].PersonID)
	p = list(teacher, "?flagged=false")
	require.Len(t, p.Items, 1)
	require.Equal(t, fx.Learner.ID.String(), p.Items[0].PersonID)
	p = list(teacher, "?limit=1")
	require.Len(t, p.Items, 1)
	require.NotEmpty(t, p.NextCursor)
	p2 := list(teacher, "?limit=1&cursor="+p.NextCursor)
	require.Len(t, p2.Items, 1)
	require.NotEqual(t, p.Items[0].PersonID, p2.Items[0].PersonID)
	require.Len(t, list(teacher, "?q=learner2").Items, 1)
	require.Equal(t, []string{"flagged", "group_id", "limit"}, fieldsOf(t, teacher.Do("GET", course+"/engagement?flagged=perhaps&group_id=x&limit=500", nil)))

	// The school raises the share: now the first learner is flagged too.
	school := fx.School.String()
	r = admin.Expect(200, "PUT", base+"/schools/"+school+"/engagement-settings", map[string]any{"inactive_days": 14, "min_items_opened_percent": 60})
	require.EqualValues(t, 60, r.JSON()["min_items_opened_percent"])
	require.Len(t, list(teacher, "?flagged=true").Items, 2)
	r = teacher.Expect(200, "GET", base+"/schools/"+school+"/engagement-settings", nil)
	require.EqualValues(t, 60, r.JSON()["min_items_opened_percent"])

	// Inactivity: counted from the last activity, or from enrolment.
	r = admin.Expect(200, "PUT", base+"/schools/"+school+"/engagement-settings", map[string]any{"inactive_days": 7, "min_items_opened_percent": 0})
	require.Empty(t, list(teacher, "?flagged=true").Items, "nobody inactive yet, the share flag is off")
	backdate(t, e, fx.Learner.ID, 10)
	backdate(t, e, fx.Learner2.ID, 3)
	p = list(teacher, "?flagged=true")
	require.Len(t, p.Items, 1)
	require.Equal(t, fx.Learner.ID.String(), p.Items[0].PersonID)
	require.Equal(t, []string{"no activity on the course for 10 days (the school's threshold is 7 days)"}, p.Items[0].FlagReasons)
	backdate(t, e, fx.Learner2.ID, 5)
	p = list(teacher, "?flagged=true&q=learner2")
	require.Len(t, p.Items, 1)
	require.Equal(t, []string{"no activity on the course since enrolling 8 days ago (the school's threshold is 7 days)"}, p.Items[0].FlagReasons)
}

// Only the course's teachers and its school's admins read engagement;
// only admins set thresholds, with field errors for bad ones.
func TestEngagementAccess(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, "eac-")
	base := "/api/v1/t/tenant-a"
	course := base + "/courses/" + fx.ID.String()
	teacher := e.Login(e.A.Slug, fx.Teacher.Username, lmstest.Password)
	learner := e.Login(e.A.Slug, fx.Learner.Username, lmstest.Password)
	other := e.Login(e.A.Slug, fx.OtherTeacher.Username, lmstest.Password)
	admin := e.Login(e.A.Slug, e.A.AdminUser, apptest.AdminPassword)
	adminB := e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)
	school := base + "/schools/" + fx.School.String() + "/engagement-settings"

	require.Equal(t, 403, learner.Do("GET", course+"/engagement", nil).Status)
	require.Equal(t, 403, learner.Do("GET", course+"/engagement/"+fx.Learner.ID.String(), nil).Status)
	require.Equal(t, 404, other.Do("GET", course+"/engagement", nil).Status, "a teacher who does not teach the course")
	require.Equal(t, 404, other.Do("GET", course+"/engagement/"+fx.Learner.ID.String(), nil).Status)
	require.Equal(t, 200, admin.Do("GET", course+"/engagement", nil).Status)
	require.Equal(t, 404, adminB.Do("GET", "/api/v1/t/tenant-b/courses/"+fx.ID.String()+"/engagement", nil).Status)

	// Defaults until set.
	r := teacher.Expect(200, "GET", school, nil)
	require.EqualValues(t, 14, r.JSON()["inactive_days"])
	require.EqualValues(t, 50, r.JSON()["min_items_opened_percent"])
	require.Nil(t, r.JSON()["updated_at"])
	require.Equal(t, 403, learner.Do("GET", school, nil).Status)
	require.Equal(t, 403, teacher.Do("PUT", school, map[string]any{"inactive_days": 1, "min_items_opened_percent": 1}).Status)
	require.Equal(t, []string{"inactive_days", "min_items_opened_percent"}, fieldsOf(t, admin.Do("PUT", school, map[string]any{"inactive_days": -1, "min_items_opened_percent": 101})))
	require.Equal(t, []string{"inactive_days", "min_items_opened_percent"}, fieldsOf(t, admin.Do("PUT", school, map[string]any{})))
	require.Equal(t, 404, admin.Do("PUT", base+"/schools/"+uuid.NewString()+"/engagement-settings", map[string]any{"inactive_days": 1, "min_items_opened_percent": 1}).Status)
	require.Equal(t, 404, adminB.Do("GET", "/api/v1/t/tenant-b/schools/"+fx.School.String()+"/engagement-settings", nil).Status)
	r = admin.Expect(200, "PUT", school, map[string]any{"inactive_days": 0, "min_items_opened_percent": 0})
	require.EqualValues(t, 0, r.JSON()["inactive_days"])
	require.Equal(t, e.A.AdminID.String(), r.JSON()["updated_by"])
}
