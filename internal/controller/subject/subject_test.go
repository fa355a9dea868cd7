package subject_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/privacy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// bundle is two tenants with the demo school seeded in each, plus a file
// Sam (learner of A) handed in and some activity of his.
type bundle struct {
	e             *apptest.Env
	sam, alex, jo identity.Person
	samB          identity.Person
	samFile       uuid.UUID
	admin         access.Scope
	course        uuid.UUID
}

func setup(t *testing.T) bundle {
	e := apptest.New(t)
	ctx := context.Background()
	svc := demo.Services{DB: e.App.DB, Identity: e.App.Identity, Files: e.App.Files, Courses: e.App.Courses,
		Assignments: e.App.Assignments, Discussion: e.App.Discussion}
	b := bundle{e: e, admin: access.Member(e.A.ID, e.A.AdminID)}
	for _, tn := range []uuid.UUID{e.A.ID, e.B.ID} {
		_, err := demo.Seed(ctx, svc, tn)
		require.NoError(t, err)
	}
	find := func(tn uuid.UUID, u string) identity.Person {
		p, err := e.App.Identity.FindByUsername(ctx, access.System(tn, "test"), u)
		require.NoError(t, err)
		return p
	}
	b.sam, b.alex, b.jo, b.samB = find(e.A.ID, "sam.learner"), find(e.A.ID, "alex.learner"), find(e.A.ID, "jo.teacher"), find(e.B.ID, "sam.learner")
	f, err := e.App.Files.Upload(ctx, access.Member(e.A.ID, b.sam.ID), "sam-notes.txt", strings.NewReader("Sam's own notes about the pond\n"))
	require.NoError(t, err)
	b.samFile = f.ID
	require.NoError(t, access.Transact(ctx, e.App.DB, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT id FROM courses LIMIT 1`).Row().Scan(&b.course); err != nil {
			return err
		}
		var subm uuid.UUID
		if err := tx.Raw(`SELECT id FROM submissions WHERE person_id = ?`, b.sam.ID).Row().Scan(&subm); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE files SET attached_to = 'submission' WHERE id = ?`, f.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO submission_files (tenant_id, submission_id, file_id) VALUES (?, ?, ?)`, e.A.ID, subm, f.ID).Error; err != nil {
			return err
		}
		for _, p := range []uuid.UUID{b.sam.ID, b.alex.ID} {
			if err := tx.Exec(`INSERT INTO activity_events (tenant_id, id, person_id, course_id, kind, occurred_at)
				SELECT ?, gen_random_uuid(), ?, ?, 'access', now() - make_interval(mins => g) FROM generate_series(1, 5) g`, e.A.ID, p, b.course).Error; err != nil {
				return err
			}
		}
		return nil
	}))
	// Sam signs in: a session row, with its device record, and a sign-in
	// event; a wrong password before it is one too.
	_, _, err = e.App.Identity.Login(ctx, e.A.ID, "sam.learner", "not-the-password", identity.Client{IP: "10.1.2.3"})
	require.ErrorIs(t, err, errs.ErrUnauthenticated)
	e.Login(e.A.Slug, "sam.learner", demo.Password)
	return b
}

// export runs an export of person to the end and returns the zip.
func export(t *testing.T, b bundle, sc access.Scope, person uuid.UUID) *zip.Reader {
	ctx := context.Background()
	x, err := b.e.App.Subjects.StartExport(ctx, sc, person, nil)
	require.NoError(t, err)
	require.NoError(t, b.e.App.Subjects.RunExport(ctx, x.TenantID, x.ID))
	x, err = b.e.App.Subjects.GetExport(ctx, sc, x.ID)
	require.NoError(t, err)
	require.Equal(t, "done", string(x.Status))
	require.Equal(t, 100, x.Percent())
	require.Equal(t, x.TablesTotal, x.TablesDone)
	require.WithinDuration(t, time.Now().Add(subject.DefaultExportTTL), *x.ExpiresAt, time.Minute)
	link, err := b.e.App.Subjects.Download(ctx, sc, x.ID)
	require.NoError(t, err)
	res, err := http.Get(link.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	return zr
}

func readAll(t *testing.T, zr *zip.Reader) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		out[f.Name] = b
	}
	return out
}

// The export holds every registry field of every row about the person,
// their files and the Article 15 summary, and nothing about anyone else.
func TestAccessExportIsCompleteAndOnlyTheirs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := readAll(t, export(t, b, b.admin, b.sam.ID))
	require.Contains(t, files, "summary.json")
	require.Contains(t, files, "README.txt")
	// Where Sam has rows, every exported column of that table is there.
	for _, table := range []string{"people", "role_assignments", "member_credentials", "enrolments", "submissions", "marks",
		"submission_files", "posts", "activity_events", "files", "member_sign_in_events"} {
		raw, ok := files["data/"+table+".json"]
		require.True(t, ok, "export lacks %s", table)
		require.Contains(t, files, "data/"+table+".csv")
		var rows []map[string]any
		require.NoError(t, json.Unmarshal(raw, &rows), table)
		require.NotEmpty(t, rows, table)
		tb, _ := privacy.Lookup(table)
		var about map[string]any
		for _, r := range rows {
			if r["relation"] == "about you" {
				about = r
			}
		}
		require.NotNil(t, about, "%s: no row about Sam", table)
		for _, c := range tb.Columns {
			if c.Name == "tenant_id" {
				continue
			}
			_, has := about[c.Name]
			require.Equal(t, c.Export == privacy.Export, has, "%s.%s exported: %v", table, c.Name, c.Export)
		}
	}
	var acts []map[string]any
	require.NoError(t, json.Unmarshal(files["data/activity_events.json"], &acts))
	var want int
	require.NoError(t, access.Transact(context.Background(), b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM activity_events WHERE person_id = ?`, b.sam.ID).Row().Scan(&want)
	}))
	require.Len(t, acts, want)
	require.GreaterOrEqual(t, want, 5)
	var signIns []map[string]any
	require.NoError(t, json.Unmarshal(files["data/member_sign_in_events.json"], &signIns))
	require.Len(t, signIns, 2, "the wrong password and the sign-in")
	require.Equal(t, "Sam's own notes about the pond\n", string(files["files/"+b.samFile.String()+"-sam-notes.txt"]))
	var sum struct {
		Controller string
		Recipients []string
		Data       []struct {
			Table  string
			Fields []struct{ Purpose, LawfulBasis, Retention string } `json:"fields"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(files["summary.json"], &sum))
	require.Equal(t, "School tenant-a", sum.Controller)
	require.NotEmpty(t, sum.Recipients)
	// Nobody else: not Alex, not Jo's id, nothing of tenant B (whose Sam has
	// the same username but another id).
	all := bytes.Buffer{}
	for _, v := range files {
		all.Write(v)
	}
	for _, other := range []string{b.alex.ID.String(), b.alex.DisplayName, "alex.learner", b.jo.ID.String(), b.samB.ID.String(), b.e.B.ID.String(), b.e.A.AdminID.String()} {
		require.NotContains(t, all.String(), other)
	}
	require.Contains(t, all.String(), b.sam.ID.String())
}

// After erasure no field and no object of the person remains anywhere:
// every table is scanned as the database's administrator (no row-level
// security) and every object version under the tenant's prefix is listed.
// Alex and tenant B are untouched.
func TestErasureLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	// An earlier export of Sam's is a file too; it must go with him.
	export(t, b, b.admin, b.sam.ID)
	var samKeys []string
	require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT object_key FROM files WHERE uploaded_by = ? OR attached_to IN ('submission', 'export')`, b.sam.ID).Scan(&samKeys).Error
	}))
	require.GreaterOrEqual(t, len(samKeys), 2)
	before := counts(t, b, b.e.B.ID)
	signIns := func() (n int) {
		require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM member_sign_in_events WHERE person_id = ?`, b.sam.ID).Scan(&n).Error
		}))
		return n
	}
	require.Equal(t, 2, signIns(), "the wrong password and the sign-in")

	r, err := b.e.App.Subjects.Open(ctx, b.admin, "admin", subject.NewRequest{PersonID: b.sam.ID, Kind: "erasure"})
	require.NoError(t, err)
	out, err := b.e.App.Subjects.Erase(ctx, b.admin, b.sam.ID, &r.ID)
	require.NoError(t, err)
	require.Greater(t, out.RowsDeleted, int64(10))
	require.Greater(t, out.RowsAnonymised, int64(0)) // his forum post stays in its thread
	require.GreaterOrEqual(t, out.Files, 2)
	require.Empty(t, out.Kept)
	require.Zero(t, signIns(), "his sign-in events go with him")

	conn, err := pgx.Connect(ctx, b.e.DB.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, tbl := range tables {
		for _, needle := range []string{b.sam.ID.String(), "sam.learner", b.sam.DisplayName, "Sam's own notes"} {
			var n int
			require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()+` t
				WHERE t::text ILIKE '%' || $1 || '%' AND ($2 = '' OR to_jsonb(t)->>'tenant_id' IS DISTINCT FROM $2)`,
				needle, b.e.B.ID.String()).Scan(&n))
			require.Zero(t, n, "%s still holds %q", tbl, needle)
		}
	}
	// Objects: the files purge ran after commit; no version of his is left.
	bucket := b.e.App.Store.Bucket("uk")
	prefix := "t/" + b.e.A.ID.String() + "/"
	vs, err := b.e.App.Store.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix})
	require.NoError(t, err)
	left := map[string]bool{}
	for _, v := range vs.Versions {
		left[*v.Key] = true
	}
	for _, m := range vs.DeleteMarkers {
		left[*m.Key] = true
	}
	for _, k := range samKeys {
		require.False(t, left[k], "object %s remains", k)
	}
	require.NotEmpty(t, left, "the course material stays")
	// The ledger has his keyed hash; the request is closed and kept.
	var ledger int64
	require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM erasure_ledger WHERE subject_hash = ?`, b.e.App.Subjects.Ref(b.e.A.ID, b.sam.ID)).Scan(&ledger).Error
	}))
	require.EqualValues(t, 1, ledger)
	r, err = b.e.App.Subjects.Get(ctx, b.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, "done", string(r.Status))
	require.Nil(t, r.PersonID)
	// Alex is untouched, and so is tenant B.
	_, err = b.e.App.Identity.GetPerson(ctx, b.admin, b.alex.ID)
	require.NoError(t, err)
	require.Equal(t, before, counts(t, b, b.e.B.ID))
}

// Erasing someone whose record was corrected lists the audit entries that
// keep the before and after (the trail is append-only, kept for the
// contract), rather than keeping them silently.
func TestErasureListsWhatIsKept(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	name := "Alexander Learner"
	_, err := b.e.App.Identity.UpdatePerson(ctx, b.admin, b.alex.ID, identity.PersonPatch{DisplayName: &name})
	require.NoError(t, err)
	// An erasure answers an open erasure request of that person, or none.
	accessReq, err := b.e.App.Subjects.Open(ctx, b.admin, "admin", subject.NewRequest{PersonID: b.alex.ID, Kind: "access"})
	require.NoError(t, err)
	samErase, err := b.e.App.Subjects.Open(ctx, b.admin, "admin", subject.NewRequest{PersonID: b.sam.ID, Kind: "erasure"})
	require.NoError(t, err)
	for _, wrong := range []uuid.UUID{accessReq.ID, samErase.ID, uuid.Must(uuid.NewV7())} {
		_, err = b.e.App.Subjects.Erase(ctx, b.admin, b.alex.ID, &wrong)
		require.ErrorIs(t, err, errs.ErrInvalid)
	}
	out, err := b.e.App.Subjects.Erase(ctx, b.admin, b.alex.ID, nil)
	require.NoError(t, err)
	require.Len(t, out.Kept, 1)
	require.Contains(t, out.Kept[0].Table, "audit_events")
	require.EqualValues(t, 1, out.Kept[0].Rows)
	require.Contains(t, out.Kept[0].Retention, "contract")
	// A person under a legal hold is not erased.
	_, err = b.e.App.Retention.PlaceHold(ctx, b.admin, retentionHold(b.sam.ID))
	require.NoError(t, err)
	_, err = b.e.App.Subjects.Erase(ctx, b.admin, b.sam.ID, nil)
	require.ErrorIs(t, err, errs.ErrConflict)
	// Nor is the tenant's last admin, nor yourself.
	_, err = b.e.App.Subjects.Erase(ctx, b.admin, b.e.A.AdminID, nil)
	require.ErrorIs(t, err, errs.ErrConflict)
}

func retentionHold(p uuid.UUID) retention.NewHold {
	return retention.NewHold{PersonID: &p, Reason: "claim"}
}

// counts is every tenant table's row count and content checksum in tenant.
func counts(t *testing.T, b bundle, tenant uuid.UUID) map[string]string {
	out := map[string]string{}
	require.NoError(t, access.Transact(context.Background(), b.e.App.DB, access.System(tenant, "test"), func(tx *gorm.DB) error {
		for _, tb := range privacy.Tables() {
			if tb.Owner != privacy.Tenant {
				continue
			}
			var s string
			if err := tx.Raw(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM ` + tb.Name + ` t`).Scan(&s).Error; err != nil {
				return err
			}
			out[tb.Name] = s
		}
		return nil
	}))
	return out
}

// A restricted person is left out of engagement summaries and cannot be
// changed until the restriction is lifted.
func TestRestrictionExcludesFromProcessing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	jo := access.Member(b.e.A.ID, b.jo.ID)
	names := func() []uuid.UUID {
		s, err := b.e.App.Engagement.Course(ctx, jo, b.course, engagement.Filter{}, uuid.Nil, 50)
		require.NoError(t, err)
		var ids []uuid.UUID
		for _, x := range s {
			ids = append(ids, x.PersonID)
		}
		return ids
	}
	require.Contains(t, names(), b.alex.ID)
	require.ErrorIs(t, b.e.App.Subjects.Restrict(ctx, b.admin, b.alex.ID, ""), errs.ErrInvalid)
	require.NoError(t, b.e.App.Subjects.Restrict(ctx, b.admin, b.alex.ID, "contests the accuracy of his record"))
	require.NotContains(t, names(), b.alex.ID)
	require.Contains(t, names(), b.sam.ID)
	name := "Alexander Learner"
	_, err := b.e.App.Identity.UpdatePerson(ctx, b.admin, b.alex.ID, identity.PersonPatch{DisplayName: &name})
	require.ErrorIs(t, err, errs.ErrConflict)
	// Nor is anything new recorded about them while restricted: no
	// activity, no marks.
	countActivity := func() (n int64) {
		require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM activity_events WHERE person_id = ?`, b.alex.ID).Row().Scan(&n)
		}))
		return n
	}
	before := countActivity()
	_, err = b.e.App.Engagement.Heartbeat(ctx, access.Member(b.e.A.ID, b.alex.ID), b.course, engagement.Beat{Kind: "access", Seconds: 30})
	require.NoError(t, err, "the learner still uses the course")
	require.Equal(t, before, countActivity())
	var samSub uuid.UUID
	require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id FROM submissions WHERE person_id = ?`, b.sam.ID).Row().Scan(&samSub)
	}))
	require.NoError(t, b.e.App.Subjects.Restrict(ctx, b.admin, b.sam.ID, "contests his mark"))
	score := 1.0
	_, err = b.e.App.Assignments.SetMark(ctx, jo, samSub, assignment.MarkInput{Score: &score})
	require.ErrorIs(t, err, errs.ErrConflict, "a restricted learner's mark cannot be changed")
	require.NoError(t, b.e.App.Subjects.Lift(ctx, b.admin, b.sam.ID))
	_, err = b.e.App.Assignments.SetMark(ctx, jo, samSub, assignment.MarkInput{Score: &score})
	require.NoError(t, err)
	// Tenant B's admin cannot touch tenant A's person at all.
	require.ErrorIs(t, b.e.App.Subjects.Lift(ctx, access.Member(b.e.B.ID, b.e.B.AdminID), b.alex.ID), errs.ErrNotFound)
	require.NoError(t, b.e.App.Subjects.Lift(ctx, b.admin, b.alex.ID))
	require.Contains(t, names(), b.alex.ID)
	p, err := b.e.App.Identity.UpdatePerson(ctx, b.admin, b.alex.ID, identity.PersonPatch{DisplayName: &name})
	require.NoError(t, err)
	require.Equal(t, name, p.DisplayName)
}

// Requests are due one calendar month after receipt, extendable by up to
// two months with a reason; the queue flags overdue ones.
func TestRequestQueueDueDates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	old := time.Now().UTC().AddDate(0, -2, 0).Format(time.DateOnly)
	r, err := b.e.App.Subjects.Open(ctx, b.admin, "admin", subject.NewRequest{PersonID: b.alex.ID, Kind: "access", ReceivedOn: old})
	require.NoError(t, err)
	require.True(t, r.Overdue)
	_, err = b.e.App.Subjects.Open(ctx, b.admin, "admin", subject.NewRequest{PersonID: b.alex.ID, Kind: "teleport"})
	require.ErrorIs(t, err, errs.ErrInvalid)
	three := 3
	_, err = b.e.App.Subjects.Update(ctx, b.admin, r.ID, subject.Change{ExtendMonths: &three})
	require.ErrorIs(t, err, errs.ErrInvalid)
	two, why := 2, "complex request spanning several years of records"
	r, err = b.e.App.Subjects.Update(ctx, b.admin, r.ID, subject.Change{ExtendMonths: &two, ExtensionReason: &why})
	require.NoError(t, err)
	require.Equal(t, r.ReceivedOn.AddDate(0, 3, 0).Format(time.DateOnly), r.DueOn.Format(time.DateOnly))
	_, err = b.e.App.Subjects.Update(ctx, b.admin, r.ID, subject.Change{AssigneeID: &b.alex.ID})
	require.ErrorIs(t, err, errs.ErrInvalid, "only admins handle requests")
	r, err = b.e.App.Subjects.Update(ctx, b.admin, r.ID, subject.Change{AssigneeID: &b.e.A.AdminID})
	require.NoError(t, err)
	require.Equal(t, b.e.A.AdminID, *r.AssigneeID)
	list, err := b.e.App.Subjects.List(ctx, b.admin, subject.Filter{Open: true}, database.Page{Limit: 50})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "Alex Learner", list[0].PersonName)
	// Tenant B sees none of it.
	list, err = b.e.App.Subjects.List(ctx, access.Member(b.e.B.ID, b.e.B.AdminID), subject.Filter{}, database.Page{Limit: 50})
	require.NoError(t, err)
	require.Empty(t, list)
	_, err = b.e.App.Subjects.Get(ctx, access.Member(b.e.B.ID, b.e.B.AdminID), r.ID)
	require.ErrorIs(t, err, errs.ErrNotFound)
}

// An admin starting many exports of other people in a day is a security
// signal for the school (once, as the count crosses the threshold).
func TestManyExportsRaiseASignal(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	ctx := context.Background()
	admin := access.Member(e.A.ID, e.A.AdminID)
	var people []uuid.UUID
	require.NoError(t, access.Transact(ctx, e.App.DB, access.System(e.A.ID, "test"), func(tx *gorm.DB) error {
		for i := range subject.ExportVolume + 1 {
			p, err := identity.CreatePersonTx(tx, e.A.ID, identity.NewPerson{Username: "p" + string(rune('a'+i)), DisplayName: "P"})
			if err != nil {
				return err
			}
			people = append(people, p.ID)
		}
		return nil
	}))
	signals := func() int {
		ev, err := e.App.Identity.SecurityEvents(ctx, admin, database.Page{Limit: 100})
		require.NoError(t, err)
		n := 0
		for _, s := range ev {
			if s.Kind == "export-volume" {
				n++
				require.Equal(t, e.A.AdminID, *s.PersonID)
			}
		}
		return n
	}
	for i, p := range people {
		_, err := e.App.Subjects.StartExport(ctx, admin, p, nil)
		require.NoError(t, err)
		if i == subject.ExportVolume-2 {
			require.Zero(t, signals())
		}
	}
	require.Equal(t, 1, signals())
	ev, err := e.App.Identity.SecurityEvents(ctx, access.Member(e.B.ID, e.B.AdminID), database.Page{Limit: 100})
	require.NoError(t, err)
	require.Empty(t, ev)
}

// A mark not yet released to the learner is left out of their export (the
// summary says so) and included once released; so is its feedback file.
func TestExportWithholdsUnreleasedMarks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var sub uuid.UUID
	require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT submission_id FROM marks m JOIN submissions s ON s.id = m.submission_id WHERE s.person_id = ?`, b.sam.ID).Row().Scan(&sub); err != nil {
			return err
		}
		return tx.Exec(`UPDATE marks SET released_at = NULL, feedback = 'DRAFT not for Sam yet' WHERE submission_id = ?`, sub).Error
	}))
	self := access.Member(b.e.A.ID, b.sam.ID)
	files := readAll(t, export(t, b, self, b.sam.ID))
	require.NotContains(t, string(files["data/marks.json"]), "DRAFT")
	require.NotContains(t, files, "data/marks.json")
	var sum struct {
		Withheld []struct {
			Table string
			Rows  int
		} `json:"withheld_for_now"`
	}
	require.NoError(t, json.Unmarshal(files["summary.json"], &sum))
	require.Len(t, sum.Withheld, 1)
	require.Equal(t, "marks", sum.Withheld[0].Table)
	require.Contains(t, string(files["README.txt"]), "Not included yet")

	require.NoError(t, access.Transact(ctx, b.e.App.DB, access.System(b.e.A.ID, "test"), func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE marks SET released_at = now() WHERE submission_id = ?`, sub).Error
	}))
	files = readAll(t, export(t, b, self, b.sam.ID))
	require.Contains(t, string(files["data/marks.json"]), "DRAFT not for Sam yet")
}
