package identity

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/errs"
)

// SignInRules are what a member's sign-in asks of the rest of the
// platform, set once when it is wired (the tenant service answers both).
type SignInRules interface {
	// TenantID finds the tenant a member signs in to by its sign-in name.
	TenantID(ctx context.Context, slug string) (uuid.UUID, error)
	// MaySignIn refuses, with an error a person may read, someone who may
	// not sign in now (their school's contract ended and they are not an
	// admin of it).
	MaySignIn(ctx context.Context, p Person) error
}

// SetSignInRules installs the rules SignIn applies.
func (s *Service) SetSignInRules(r SignInRules) { s.rules = r }

// SignIn is the one member sign-in of the API and the pages. A school,
// username or password that is wrong all fail alike, in the same time
// (an unknown school still spends a password check); a person the rules
// refuse has the new session ended at once.
func (s *Service) SignIn(ctx context.Context, slug, username, password string, c Client) (Issued, Person, error) {
	tenant, err := s.rules.TenantID(ctx, slug)
	if errors.Is(err, errs.ErrNotFound) {
		return Issued{}, Person{}, errors.Join(errs.ErrUnauthenticated, s.spendPasswordCheck(ctx, password))
	}
	if err != nil {
		return Issued{}, Person{}, err
	}
	iss, p, err := s.Login(ctx, tenant, username, password, c)
	if err != nil {
		return iss, p, err
	}
	if err := s.admit(ctx, iss, p, MethodPassword, c); err != nil {
		return Issued{}, Person{}, err
	}
	return iss, p, nil
}
