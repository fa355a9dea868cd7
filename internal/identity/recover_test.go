package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

var recoverSettings = identity.Settings{SessionTTL: time.Hour, TokenMaxTTL: time.Hour, LockAfter: 5, LockFor: time.Minute,
	LinkKey: []byte("recover-test-key-recover-test-key")}

// recoverSetup is idSetup with the sign-in rules wired (school sign-in
// names resolved by the tenant service, as in the app).
func recoverSetup(t *testing.T) *idBundle {
	b := idSetup(t, recoverSettings)
	b.svc.SetSignInRules(tenant.SignInRules{Tenants: tenant.NewService(b.db.App, nil, true),
		IsAdmin: func(context.Context, uuid.UUID, uuid.UUID) (bool, error) { return true, nil }})
	return b
}

// A one-time code works once, for its own person in its own school only,
// until it expires or a newer one replaces it; using it ends every session.
func TestPasswordCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := recoverSetup(t)
	adminA := access.Member(b.a, b.admins[b.a])
	client := identity.Client{UserAgent: "test", IP: "192.0.2.1"}

	// Sign-in names and usernames are case-insensitive.
	old, _, err := b.svc.SignIn(ctx, "Tenant-A", "LEE", leePassword, client)
	require.NoError(t, err, "the school's sign-in name in capitals")

	_, err = b.svc.PasswordCode(ctx, access.Member(b.b, b.admins[b.b]), b.leeA)
	require.ErrorIs(t, err, errs.ErrNotFound, "another tenant's admin makes no code for lee of tenant A")

	code, err := b.svc.PasswordCode(ctx, adminA, b.leeA)
	require.NoError(t, err)
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{5}-[A-Z0-9]{5}$`, code)
	require.EqualValues(t, 0, b.count(t, b.a, `SELECT count(*) FROM password_links WHERE code_hash IS NOT NULL AND sent_at IS NULL`),
		"a code is never emailed by the outbox")

	const newPw = "a-new-password-for-lee"
	_, err = b.svc.UsePasswordCode(ctx, "tenant-b", "lee", code, newPw)
	require.ErrorIs(t, err, errs.ErrNotFound, "lee of tenant B (the same username) cannot use tenant A's code")
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "admin@tenant-a.example", code, newPw)
	require.ErrorIs(t, err, errs.ErrNotFound, "the code is for lee only")
	wrong := "X" + code[1:]
	if code[0] == 'X' { // a different first character, always (1 in 36 codes starts with X)
		wrong = "Y" + code[1:]
	}
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", wrong, newPw)
	require.ErrorIs(t, err, errs.ErrNotFound, "a wrong code")
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", code, "short")
	require.ErrorIs(t, err, errs.ErrInvalid, "the same strength rule as everywhere")

	slug, err := b.svc.UsePasswordCode(ctx, "TENANT-A", "Lee", " "+strings.ToLower(strings.ReplaceAll(code, "-", ""))+" ", newPw)
	require.NoError(t, err, "small letters, no dashes, the sign-in name in capitals")
	require.Equal(t, "tenant-a", slug)
	_, err = b.svc.Authenticate(ctx, old.Secret, "192.0.2.1")
	require.ErrorIs(t, err, errs.ErrUnauthenticated, "lee's session ended")
	_, _, err = b.svc.SignIn(ctx, "tenant-a", "lee", newPw, client)
	require.NoError(t, err)
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", code, "yet-another-password-1")
	require.ErrorIs(t, err, errs.ErrNotFound, "a code works once")
	require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM audit_events WHERE action = 'person.password_set' AND target = ?`, "person "+b.leeA.String()))

	// A newer code replaces the older; an expired code does not work.
	first, err := b.svc.PasswordCode(ctx, adminA, b.leeA)
	require.NoError(t, err)
	second, err := b.svc.PasswordCode(ctx, adminA, b.leeA)
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", first, "yet-another-password-1")
	require.ErrorIs(t, err, errs.ErrNotFound, "replaced by a newer code")
	b.exec(t, b.a, `UPDATE password_links SET expires_at = now() - interval '1 second' WHERE person_id = ? AND used_at IS NULL`, b.leeA)
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", second, "yet-another-password-1")
	require.ErrorIs(t, err, errs.ErrNotFound, "older than 14 days")
	third, err := b.svc.PasswordCode(ctx, adminA, b.leeA)
	require.NoError(t, err)
	require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM password_links WHERE person_id = ? AND used_at IS NULL
		AND expires_at BETWEEN now() + interval '13 days 23 hours' AND now() + interval '14 days'`, b.leeA), "valid for 14 days")
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", "lee", third, "yet-another-password-1")
	require.NoError(t, err)
}

// Forgot password? records an hour's link only for an active person with
// an email address, found by username or email, a few times an hour; every
// other case ends the same way.
func TestForgotPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := recoverSetup(t)
	b.exec(t, b.a, `UPDATE people SET email = 'Lee@Example.org' WHERE id = ?`, b.leeA)

	for _, c := range []struct{ slug, login string }{
		{"tenant-a", "nobody"}, {"no-such-school", "lee"}, {"tenant-b", "lee"}, // lee of B has no email
	} {
		_, sent, err := b.svc.ForgotPassword(ctx, c.slug, c.login)
		require.NoError(t, err)
		require.False(t, sent, c)
	}
	tenantID, sent, err := b.svc.ForgotPassword(ctx, "TENANT-A", "lee@example.ORG")
	require.NoError(t, err)
	require.True(t, sent, "by email address, any case")
	require.Equal(t, b.a, tenantID)
	require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM password_links WHERE person_id = ? AND purpose = 'forgot' AND used_at IS NULL
		AND sent_at IS NULL AND expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '1 hour'`, b.leeA), "one link, for an hour, for the outbox")
	_, sent, err = b.svc.ForgotPassword(ctx, "tenant-a", "LEE")
	require.NoError(t, err)
	require.True(t, sent, "by username")
	require.EqualValues(t, 1, b.count(t, b.a, `SELECT count(*) FROM password_links WHERE person_id = ? AND used_at IS NULL`, b.leeA),
		"a second ask within a minute reuses the link: one email")
	for range 2 {
		_, sent, err = b.svc.ForgotPassword(ctx, "tenant-a", "lee")
		require.NoError(t, err)
	}
	require.False(t, sent, "past three asks an hour for the account nothing is sent")

	b.exec(t, b.a, `UPDATE people SET status = 'suspended' WHERE id = ?`, b.leeA)
	_, sent, err = b.svc.ForgotPassword(ctx, "tenant-a", "lee@example.org")
	require.NoError(t, err)
	require.False(t, sent, "a suspended account")
}

// Who makes a course's sign-in cards: its school's admins; its teachers
// only where the school allows (set by an admin only); nobody else, and no
// one from another tenant. Each card's code works for its own pupil.
func TestSignInCardsWhoMayMake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := recoverSetup(t)
	fx := lmstest.NewCourse(t, b.db.App, b.a, "cd-")
	adminA, adminB := access.Member(b.a, b.admins[b.a]), access.Member(b.b, b.admins[b.b])
	teacher := access.Member(b.a, fx.Teacher.ID)

	_, err := b.svc.SignInCards(ctx, adminB, fx.ID, uuid.Nil, uuid.Nil)
	require.ErrorIs(t, err, errs.ErrNotFound, "another tenant's admin")
	_, err = b.svc.SignInCards(ctx, teacher, fx.ID, uuid.Nil, uuid.Nil)
	require.ErrorIs(t, err, errs.ErrForbidden, "the school has not allowed teachers (the default)")
	require.ErrorIs(t, b.svc.SetTeachersResetPasswords(ctx, teacher, fx.School, true), errs.ErrForbidden, "a teacher cannot allow themselves")
	require.NoError(t, b.svc.SetTeachersResetPasswords(ctx, adminA, fx.School, true))
	for _, who := range []uuid.UUID{fx.OtherTeacher.ID, fx.Outsider.ID, fx.Learner.ID} {
		_, err = b.svc.SignInCards(ctx, access.Member(b.a, who), fx.ID, uuid.Nil, uuid.Nil)
		require.ErrorIs(t, err, errs.ErrNotFound, "not a teacher of this course")
	}
	cards, err := b.svc.SignInCards(ctx, teacher, fx.ID, uuid.Nil, uuid.Nil)
	require.NoError(t, err)
	require.Len(t, cards, 2, "the course's two learners, not its teacher")
	again, err := b.svc.SignInCards(ctx, adminA, fx.ID, uuid.Nil, fx.Learner2.ID)
	require.NoError(t, err)
	require.Len(t, again, 1)
	for _, c := range cards {
		_, err := b.svc.UsePasswordCode(ctx, "tenant-a", c.Username, c.Code, "the-pupil-chose-this")
		if c.PersonID == fx.Learner2.ID {
			require.ErrorIs(t, err, errs.ErrNotFound, "replaced by the admin's newer card")
		} else {
			require.NoError(t, err)
		}
	}
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", fx.Learner.Username, again[0].Code, "the-pupil-chose-this")
	require.ErrorIs(t, err, errs.ErrNotFound, "a card's code is for its own pupil")
	_, err = b.svc.UsePasswordCode(ctx, "tenant-a", fx.Learner2.Username, again[0].Code, "the-pupil-chose-this")
	require.NoError(t, err)
}
