package identity

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// StaffRole is a processor staff member's role; staff never hold a tenant
// Role. The value is what staff.role holds.
type StaffRole string

// The processor's roles.
const (
	StaffOperator StaffRole = "operator" // runs the platform: tenants, contracts, backups, legal orders
	StaffSupport  StaffRole = "support"  // helps schools, reading only what a grant opens
)

// StaffRoles are the processor's roles.
var StaffRoles = []StaffRole{StaffOperator, StaffSupport}

// EnsureStaff creates a processor staff member, or returns the existing one
// with that e-mail unchanged. password may be empty (set later).
func (s *Service) EnsureStaff(ctx context.Context, email, name string, role StaffRole, password string) (Staff, bool, error) {
	var fe errs.FieldErrors
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		fe.Add("email", "must be a plain e-mail address")
	}
	if name == "" || len(name) > 200 {
		fe.Add("display_name", "must be 1-200 characters")
	}
	if role != StaffOperator && role != StaffSupport {
		fe.Add("role", "must be operator or support")
	}
	if password != "" && len([]rune(password)) < MinPasswordLength {
		fe.Add("password", "must be at least %d characters", MinPasswordLength)
	}
	if err := fe.Err(); err != nil {
		return Staff{}, false, err
	}
	var st Staff
	created := false
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		res := tx.Where("lower(email) = lower(?)", email).Limit(1).Find(&st)
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		st = Staff{ID: uuid.Must(uuid.NewV7()), Email: email, DisplayName: name, Role: role}
		if password != "" {
			h, err := HashPassword(password)
			if err != nil {
				return err
			}
			st.PasswordHash = h
		}
		created = true
		return tx.Create(&st).Error
	})
	if err != nil {
		return st, false, fmt.Errorf("ensure staff %s: %w", email, err)
	}
	return st, created, nil
}

// StaffByID returns one staff member.
func (s *Service) StaffByID(ctx context.Context, id uuid.UUID) (Staff, error) {
	return StaffTx(s.db.Gorm.WithContext(ctx), id)
}

// StaffTx reads a staff member with db (a transaction, or the pool):
// processor services read the acting staff member's current role and
// sub-processor with it, rather than trusting a copy from the caller.
func StaffTx(db *gorm.DB, id uuid.UUID) (Staff, error) {
	var st Staff
	return st, database.Found(db.Where("id = ?", id).Limit(1).Find(&st), "staff %s", id)
}

// SetStaffPassword sets a staff member's password (the CLI, for a
// forgotten one): it unlocks the account and ends their sessions.
func (s *Service) SetStaffPassword(ctx context.Context, email, password string) error {
	if len([]rune(password)) < MinPasswordLength {
		return errs.Field("password", "must be at least %d characters", MinPasswordLength)
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *gorm.DB) error {
		var st Staff
		if err := database.Found(tx.Where("lower(email) = lower(?)", strings.TrimSpace(email)).Limit(1).Find(&st), "no staff member %q", email); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, h, st.ID).Error; err != nil {
			return err
		}
		return revokeAll(tx, staffCreds, st.ID)
	})
}
