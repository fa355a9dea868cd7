package tenant

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ErrContractEnded refuses a sign-in, or a request, by someone other than
// an admin of a school whose contract has ended.
var ErrContractEnded = errs.New(errs.ErrForbidden, "Your school's contract with this service has ended. "+
	"Only its administrators can still sign in, to take the school's data back.")

// SignInRules is the contract's say in who may sign in
// (identity.SignInRules): once a school's contract has ended only its
// admins may, to take its data back.
type SignInRules struct {
	Tenants *Service
	// IsAdmin reports whether person holds the admin role in tenant.
	IsAdmin func(ctx context.Context, tenant, person uuid.UUID) (bool, error)
}

// TenantID finds a tenant by its sign-in name.
func (r SignInRules) TenantID(ctx context.Context, slug string) (uuid.UUID, error) {
	t, err := r.Tenants.BySlug(ctx, slug)
	return t.ID, err
}

// MaySignIn refuses everyone but admins after the contract's end.
func (r SignInRules) MaySignIn(ctx context.Context, p identity.Person) error {
	c, err := r.Tenants.CurrentContract(ctx, p.TenantID)
	if err != nil || !c.Ended(time.Now()) {
		return err
	}
	admin, err := r.IsAdmin(ctx, p.TenantID, p.ID)
	if err != nil || admin {
		return err
	}
	return ErrContractEnded
}
