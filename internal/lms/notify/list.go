package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Notification is one notice shown in the app.
type Notification struct {
	ID        uuid.UUID  `json:"id"`
	Kind      Kind       `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// List is a page of the actor's own notices shown in the app, newest
// first: limit of them older than before (uuid.Nil: from the newest).
// Nobody reads another's.
func (s *Service) List(ctx context.Context, sc access.Scope, before uuid.UUID, limit int) ([]Notification, error) {
	out := []Notification{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT id, kind, title, body, link, read_at, created_at FROM notifications
			WHERE person_id = @me AND in_app AND (CAST(@before AS uuid) IS NULL OR id < @before)
			ORDER BY id DESC LIMIT @limit`,
			map[string]any{"me": sc.Actor().ID, "before": nilIfZero(before), "limit": min(max(limit, 1), 200)}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	return out, nil
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Unread is how many of the actor's notices in the app are unread.
func (s *Service) Unread(ctx context.Context, sc access.Scope) (n int, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM notifications WHERE person_id = ? AND in_app AND read_at IS NULL`,
			sc.Actor().ID).Row().Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the actor's notices read; another's is not found.
func (s *Service) MarkRead(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND person_id = ?`,
			s.now().UTC(), id, sc.Actor().ID)
		if res.Error != nil {
			return fmt.Errorf("notify: mark read: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrNotFound, "There is no such notification.")
		}
		return nil
	})
}

// MarkAllRead marks every notice of the actor read.
func (s *Service) MarkAllRead(ctx context.Context, sc access.Scope) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE notifications SET read_at = ? WHERE person_id = ? AND read_at IS NULL`,
			s.now().UTC(), sc.Actor().ID).Error
	})
}

// Preferences are the actor's choices, one per kind (the default where
// they have not chosen).
func (s *Service) Preferences(ctx context.Context, sc access.Scope) ([]Preference, error) {
	var stored []Preference
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT kind, in_app, email FROM notification_preferences WHERE person_id = ?`, sc.Actor().ID).Scan(&stored).Error
	})
	if err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", err)
	}
	mine := map[Kind]Preference{}
	for _, p := range stored {
		mine[p.Kind] = p
	}
	out := make([]Preference, 0, len(Kinds()))
	for _, k := range Kinds() {
		p, ok := mine[k]
		if !ok {
			p = Default(k)
		}
		out = append(out, p)
	}
	return out, nil
}

// SetPreferences saves the actor's choices for the kinds given.
func (s *Service) SetPreferences(ctx context.Context, sc access.Scope, in []Preference) error {
	var fe errs.FieldErrors
	for _, p := range in {
		if !p.Kind.Valid() {
			fe.Add("kind", "is not a kind of notice")
		}
		if !p.Email.Valid() {
			fe.Add("email_"+string(p.Kind), "choose at once, in a daily summary, or no email")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	type row struct {
		TenantID, PersonID uuid.UUID
		Kind               string
		InApp              bool
		Email              string
		UpdatedAt          time.Time
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		for _, p := range in {
			r := row{sc.Tenant(), sc.Actor().ID, string(p.Kind), p.InApp, string(p.Email), s.now().UTC()}
			err := tx.Table("notification_preferences").Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "person_id"}, {Name: "kind"}},
				DoUpdates: clause.AssignmentColumns([]string{"in_app", "email", "updated_at"}),
			}).Create(&r).Error
			if err != nil {
				return fmt.Errorf("notify: save preference: %w", err)
			}
		}
		return nil
	})
}
