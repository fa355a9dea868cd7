package due

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A feed's address carries a random 32-byte token, base64url without
// padding (43 characters); only its SHA-256 is stored.
const tokenLen = 43

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// GetFeed says whether the actor has a feed and since when.
func (s *Service) GetFeed(ctx context.Context, sc access.Scope) (f Feed, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT created_at FROM calendar_feeds WHERE person_id = ?`, sc.Actor().ID).Row().Scan(&f.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		f.On = err == nil
		return err
	})
	if err != nil {
		return f, fmt.Errorf("due: feed: %w", err)
	}
	return f, nil
}

// NewFeed makes the actor a new feed address and returns its token, which
// is never shown again; an address made before stops at once.
func (s *Service) NewFeed(ctx context.Context, sc access.Scope) (string, error) {
	if sc.Actor().Kind != access.ActorMember {
		return "", errs.New(errs.ErrForbidden, "Only members of a school have a calendar.")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("due: feed token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO calendar_feeds (tenant_id, person_id, token_hash) VALUES (app_tenant_id(), ?, ?)
			ON CONFLICT (tenant_id, person_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`,
			sc.Actor().ID, hashToken(token)).Error
	})
	if err != nil {
		return "", fmt.Errorf("due: new feed: %w", err)
	}
	return token, nil
}

// StopFeed stops the actor's feed (nothing to stop is fine).
func (s *Service) StopFeed(ctx context.Context, sc access.Scope) error {
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM calendar_feeds WHERE person_id = ?`, sc.Actor().ID).Error
	})
	if err != nil {
		return fmt.Errorf("due: stop feed: %w", err)
	}
	return nil
}

// FeedOwner is whose calendar a feed is.
type FeedOwner struct {
	PersonID uuid.UUID
}

// FromFeed reads the calendar behind a feed token of tenant, from from to
// to: the same entries the person's calendar page shows them. An unknown
// or stopped token is ErrNotFound, and so is the feed of a person who is
// suspended, has left or whose processing is restricted.
func (s *Service) FromFeed(ctx context.Context, tenant uuid.UUID, token string, from, to time.Time) (FeedOwner, []Entry, error) {
	var owner FeedOwner
	var out []Entry
	if len(token) != tokenLen {
		return owner, nil, errs.New(errs.ErrNotFound, "calendar feed")
	}
	err := access.Transact(ctx, s.db, access.System(tenant, "calendar-feed"), func(tx *gorm.DB) error {
		err := tx.Raw(`SELECT f.person_id FROM calendar_feeds f JOIN people p ON p.id = f.person_id
			WHERE f.token_hash = ? AND p.status = 'active' AND p.restricted_at IS NULL
			  AND (p.left_on IS NULL OR p.left_on > current_date)`, hashToken(token)).Row().Scan(&owner.PersonID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.ErrNotFound, "calendar feed")
		}
		if err != nil {
			return fmt.Errorf("due: feed owner: %w", err)
		}
		out, err = calendar(tx, owner.PersonID, from, to, s.now())
		return err
	})
	return owner, out, err
}
