package backup

import (
	"context"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"github.com/schoolcloud/lms/internal/platform/config"
)

// Identity unwraps a tenant's backup key (for tests that read backups).
func Identity(s *Service, ctx context.Context, tenant uuid.UUID) (age.Identity, error) {
	return s.identity(ctx, tenant)
}

// At returns a copy of s whose clock reads now() and that keeps backups
// for r, to make backups that have already expired.
func At(s *Service, now func() time.Time, r config.Retention) *Service {
	c := *s
	c.now, c.retention = now, r
	return &c
}

// WithKeys returns a copy of s with other platform backup keys
// (comma-separated, as LMS_BACKUP_KEY_SECRET), as after a restart.
func WithKeys(s *Service, keys string) (*Service, error) {
	ids, err := ParsePlatformKeys(keys)
	if err != nil {
		return nil, err
	}
	c := *s
	c.platform = ids
	return &c, nil
}
