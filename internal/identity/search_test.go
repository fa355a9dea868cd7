package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// The people list's filters: name or username, role, school (a role there),
// class (a course's title or a teaching group's name), status; a school's
// own admin finds only the people of their schools; another tenant's
// people of the same name never. Unlocking ends a lockout at once, is in
// the audit trail, and is refused when there is none.
func TestFindPeopleAndUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const lockAfter = 3
	b := idSetup(t, identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: 24 * time.Hour, LockAfter: lockAfter, LockFor: 15 * time.Minute})
	admin := access.Member(b.a, b.admins[b.a])
	var north, south uuid.UUID
	ids := map[string]uuid.UUID{}
	require.NoError(t, access.Transact(ctx, b.db.App, access.System(b.a, "test-setup"), func(tx *gorm.DB) error {
		north, south = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		require.NoError(t, tx.Exec(`INSERT INTO schools (tenant_id, id, slug, name) VALUES (?, ?, 'north', 'North'), (?, ?, 'south', 'South')`, b.a, north, b.a, south).Error)
		mk := func(user, name string, role identity.Role, school uuid.UUID) {
			p, err := identity.CreatePersonTx(tx, b.a, identity.NewPerson{Username: user, DisplayName: name})
			require.NoError(t, err)
			_, err = identity.AssignRoleTx(tx, b.a, p.ID, role, &school)
			require.NoError(t, err)
			ids[user] = p.ID
		}
		mk("ann", "Ann North", identity.RoleLearner, north)
		mk("bob", "Bob North", identity.RoleTeacher, north)
		mk("cat", "Cat South", identity.RoleLearner, south)
		mk("dan", "Dan 100%_North", identity.RoleLearner, north)
		course, group := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		require.NoError(t, tx.Exec(`INSERT INTO courses (tenant_id, id, school_id, title, status) VALUES (?, ?, ?, 'Year 9 Art', 'published')`, b.a, course, north).Error)
		require.NoError(t, tx.Exec(`INSERT INTO enrolments (tenant_id, course_id, person_id, role) VALUES (?, ?, ?, 'learner'), (?, ?, ?, 'learner')`, b.a, course, ids["ann"], b.a, course, ids["dan"]).Error)
		require.NoError(t, tx.Exec(`INSERT INTO teaching_groups (tenant_id, id, course_id, name) VALUES (?, ?, ?, 'Blue set')`, b.a, group, course).Error)
		require.NoError(t, tx.Exec(`INSERT INTO teaching_group_members (tenant_id, group_id, course_id, person_id) VALUES (?, ?, ?, ?)`, b.a, group, course, ids["dan"]).Error)
		require.NoError(t, tx.Exec(`UPDATE people SET status = 'suspended' WHERE id = ?`, ids["bob"]).Error)
		return tx.Exec(`UPDATE people SET left_on = current_date - 1 WHERE id = ?`, ids["cat"]).Error
	}))
	find := func(sc access.Scope, f identity.PeopleFilter) []string {
		t.Helper()
		var out []string
		after := uuid.Nil
		for {
			page, err := b.svc.FindPeople(ctx, sc, f, after, 2) // small pages: the keyset paging too
			require.NoError(t, err)
			for _, p := range page {
				out = append(out, p.Username)
			}
			if len(page) < 2 {
				return out
			}
			after = page[len(page)-1].ID
		}
	}
	require.Equal(t, []string{"admin@tenant-a.example", "ann", "bob", "cat", "dan", "lee"}, find(admin, identity.PeopleFilter{}), "everyone, by name")
	require.Equal(t, []string{"ann", "bob", "dan"}, find(admin, identity.PeopleFilter{Text: "NORTH"}))
	require.Equal(t, []string{"dan"}, find(admin, identity.PeopleFilter{Text: "%_"}), "% and _ are letters, not patterns")
	require.Equal(t, []string{"ann", "dan"}, find(admin, identity.PeopleFilter{Text: "north", Role: identity.RoleLearner}))
	require.Equal(t, []string{"cat"}, find(admin, identity.PeopleFilter{School: &south}))
	require.Equal(t, []string{"ann", "dan"}, find(admin, identity.PeopleFilter{Role: identity.RoleLearner, School: &north}))
	require.Equal(t, []string{"ann", "dan"}, find(admin, identity.PeopleFilter{Class: "art"}))
	require.Equal(t, []string{"dan"}, find(admin, identity.PeopleFilter{Class: "blue"}))
	require.Equal(t, []string{"bob"}, find(admin, identity.PeopleFilter{Status: identity.ListSuspended}))
	require.Equal(t, []string{"cat"}, find(admin, identity.PeopleFilter{Status: identity.ListLeft}))
	require.NotContains(t, find(admin, identity.PeopleFilter{Status: identity.ListActive}), "cat", "a leaver is not active")
	_, err := b.svc.FindPeople(ctx, admin, identity.PeopleFilter{Status: "asleep", Role: "king"}, uuid.Nil, 10)
	require.ErrorIs(t, err, errs.ErrInvalid)

	// North's own admin finds North's people only.
	northAdmin := access.Member(b.a, b.admins[b.a]).WithinSchools([]uuid.UUID{north})
	require.Equal(t, []string{"ann", "bob", "dan"}, find(northAdmin, identity.PeopleFilter{}))
	require.Empty(t, find(northAdmin, identity.PeopleFilter{School: &south}))

	// Lee locks themselves out; the admin sees it and unlocks.
	for i := 0; i < lockAfter; i++ {
		_, _, _ = b.svc.Login(ctx, b.a, "lee", wrong, identity.Client{})
	}
	require.Equal(t, []string{"lee"}, find(admin, identity.PeopleFilter{Status: identity.ListLocked}))
	lee, err := b.svc.GetPerson(ctx, admin, b.leeA)
	require.NoError(t, err)
	require.NotNil(t, b.svc.LockedAt(lee))
	require.WithinDuration(t, time.Now(), *b.svc.LockedAt(lee), time.Minute)
	require.ErrorIs(t, b.svc.Unlock(ctx, northAdmin, b.leeA), errs.ErrNotFound, "not one of North's people")
	require.NoError(t, b.svc.Unlock(ctx, admin, b.leeA))
	require.Empty(t, find(admin, identity.PeopleFilter{Status: identity.ListLocked}))
	_, _, err = b.svc.Login(ctx, b.a, "lee", leePassword, identity.Client{})
	require.NoError(t, err, "unlocked: the right password works at once")
	require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'person.unlocked' AND target = ?`, "person "+b.leeA.String()))
	require.ErrorIs(t, b.svc.Unlock(ctx, admin, b.leeA), errs.ErrConflict, "not locked any more")
	require.ErrorIs(t, b.svc.Unlock(ctx, access.Member(b.b, b.admins[b.b]), b.leeA), errs.ErrNotFound, "another tenant's admin")
}
