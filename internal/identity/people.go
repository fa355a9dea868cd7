package identity

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// NewPerson is the input to create a tenant member.
type NewPerson struct {
	Username    string  `json:"username" binding:"required,max=254"`
	Email       *string `json:"email" binding:"omitempty,email,max=254"`
	DisplayName string  `json:"display_name" binding:"required,max=200"`
	Password    string  `json:"password,omitempty" binding:"omitempty,min=12,max=1024"`
	// Role and SchoolID optionally give the new person a first role; an
	// admin whose role covers only some schools must name one of them.
	Role     Role       `json:"role,omitempty" binding:"omitempty,oneof=admin teacher learner approver guardian tutor"`
	SchoolID *uuid.UUID `json:"school_id,omitempty"`
}

func (in *NewPerson) normalise() error {
	var fe errs.FieldErrors
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.Username == "" || len(in.Username) > 254 || strings.ContainsAny(in.Username, " \t\r\n") {
		fe.Add("username", "must be 1-254 characters without spaces")
	}
	if in.DisplayName == "" || len(in.DisplayName) > 200 {
		fe.Add("display_name", "must be 1-200 characters")
	}
	if errs.HasControl(in.Username) || strings.ContainsRune(in.Username, '\u00a0') {
		fe.Add("username", "must not contain control characters or non-breaking spaces")
	}
	if errs.HasControl(in.DisplayName) {
		fe.Add("display_name", "must not contain control characters")
	}
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			fe.Add("email", "must be a plain e-mail address")
		}
		in.Email = &e
	}
	if in.Password != "" && len([]rune(in.Password)) < MinPasswordLength {
		fe.Add("password", "must be at least %d characters", MinPasswordLength)
	}
	return fe.Err()
}

// PersonPatch changes some fields of a person; nil leaves a field alone.
type PersonPatch struct {
	DisplayName *string       `json:"display_name" binding:"omitempty,max=200"`
	Email       *string       `json:"email" binding:"omitempty,email,max=254"`
	Status      *PersonStatus `json:"status" binding:"omitempty,oneof=active suspended"`
	Password    *string       `json:"password" binding:"omitempty,min=12,max=1024"`
	// BirthDate and LeftOn are dates (YYYY-MM-DD); "" clears them. A
	// learner under 13 needs a guardian's consent; a leaver's data goes
	// when the school's leaver retention period has passed.
	BirthDate *string `json:"birth_date"`
	LeftOn    *string `json:"left_on"`
	// PreferredName is the first name the person goes by ("" clears it);
	// for someone with a legal name from the roster the shown name
	// becomes it (or the given name) and the family name. The next roster
	// import sets it again from the school's information system.
	PreferredName *string `json:"preferred_name" binding:"omitempty,max=100"`
}

// patchDate reads an optional date of a patch into set.
func patchDate(fe *errs.FieldErrors, set map[string]any, field string, v *string, past bool) {
	if v == nil {
		return
	}
	if *v == "" {
		set[field] = nil
		return
	}
	d, err := time.Parse(time.DateOnly, *v)
	switch {
	case err != nil:
		fe.Add(field, "must be a date (YYYY-MM-DD), or empty to clear it")
	case past && d.After(time.Now()):
		fe.Add(field, "cannot be in the future")
	case d.Year() < 1900 || d.Year() > 2200:
		fe.Add(field, "must be a real date")
	default:
		set[field] = d
	}
}

// CreatePersonTx inserts a person inside an open tenant transaction.
func CreatePersonTx(tx *gorm.DB, tenant uuid.UUID, in NewPerson) (Person, error) {
	p, err := NewPersonRow(tenant, in)
	if err != nil {
		return p, err
	}
	if err := tx.Create(&p).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Person{}, errs.New(errs.ErrConflict, "username %q is taken", in.Username)
		}
		return Person{}, fmt.Errorf("create person: %w", err)
	}
	return p, nil
}

// NewPersonRow checks a new person and returns the row to insert, with
// its id, without writing it: a bulk import inserts many at once
// (InsertPeopleTx).
func NewPersonRow(tenant uuid.UUID, in NewPerson) (Person, error) {
	if err := in.normalise(); err != nil {
		return Person{}, err
	}
	p := Person{TenantID: tenant, ID: uuid.Must(uuid.NewV7()), Username: in.Username, Email: in.Email, DisplayName: in.DisplayName, Status: PersonActive}
	if in.Password != "" {
		h, err := HashPassword(in.Password)
		if err != nil {
			return Person{}, err
		}
		p.PasswordHash = h
	}
	return p, nil
}

// InsertPeopleTx writes people made by NewPersonRow, a thousand rows a
// statement. The caller has checked their usernames are free.
func InsertPeopleTx(tx *gorm.DB, people []Person) error {
	if len(people) == 0 {
		return nil
	}
	if err := tx.CreateInBatches(&people, 1000).Error; err != nil {
		return fmt.Errorf("insert %d people: %w", len(people), err)
	}
	return nil
}

// FindByUsernameTx returns the person with username, or ErrNotFound.
func FindByUsernameTx(tx *gorm.DB, username string) (Person, error) {
	var p Person
	res := tx.Where("username_key = lower(?)", username).Limit(1).Find(&p)
	if res.Error != nil {
		return p, res.Error
	}
	if res.RowsAffected == 0 {
		return p, errs.ErrNotFound
	}
	return p, nil
}

// CreatePerson adds a member to the scoped tenant.
func (s *Service) CreatePerson(ctx context.Context, sc access.Scope, in NewPerson) (p Person, err error) {
	if _, limited := sc.Schools(); (limited || in.SchoolID != nil) && in.Role == "" {
		return p, errs.Field("role", "is required with school_id, and for admins whose role covers only some schools")
	}
	if err := schoolAllowed(sc, in.SchoolID); err != nil {
		return p, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if p, err = CreatePersonTx(tx, sc.Tenant(), in); err != nil || in.Role == "" {
			return err
		}
		_, err = AssignRoleTx(tx, sc.Tenant(), p.ID, in.Role, in.SchoolID)
		return err
	})
	return p, err
}

// GetPerson returns one person of the scoped tenant, in one round trip.
func (s *Service) GetPerson(ctx context.Context, sc access.Scope, id uuid.UUID) (p Person, err error) {
	if !personAllowed(sc, id) {
		return p, errs.New(errs.ErrNotFound, "person %s", id)
	}
	found := false
	q, args := `SELECT tenant_id, id, username, email, display_name, status, locked_until, created_at, updated_at,
		birth_date, restricted_at, restriction_reason, objected_at, left_on,
		given_name, middle_name, family_name, preferred_name, pupil_number
		FROM people WHERE id = $1`, []any{id}
	if ids, limited := sc.Schools(); limited {
		q += ` AND EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.tenant_id = people.tenant_id AND ra.person_id = people.id AND ra.school_id = ANY($2::uuid[]))`
		args = append(args, uuidStrings(ids))
	}
	err = access.Read(ctx, s.db, sc, q, args, func(rows pgx.Rows) error {
		for rows.Next() {
			found = true
			if err := rows.Scan(&p.TenantID, &p.ID, &p.Username, &p.Email, &p.DisplayName, &p.Status, &p.LockedUntil, &p.CreatedAt, &p.UpdatedAt,
				&p.BirthDate, &p.RestrictedAt, &p.RestrictionReason, &p.ObjectedAt, &p.LeftOn,
				&p.GivenName, &p.MiddleName, &p.FamilyName, &p.PreferredName, &p.PupilNumber); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err == nil && !found {
		err = errs.New(errs.ErrNotFound, "person %s", id)
	}
	return p, err
}

// FindByUsername finds a person of the scoped tenant by username (any
// case), within the scope's schools when it is limited to some.
func (s *Service) FindByUsername(ctx context.Context, sc access.Scope, username string) (Person, error) {
	var id uuid.UUID
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		p, err := FindByUsernameTx(tx, username)
		id = p.ID
		return err
	})
	if err != nil {
		return Person{}, err
	}
	return s.GetPerson(ctx, sc, id)
}

func getPerson(tx *gorm.DB, id uuid.UUID, p *Person) error {
	return database.Found(tx.Where("id = ?", id).Limit(1).Find(p), "person %s", id)
}

// ListPeople pages through the scoped tenant's people in creation order.
// after is the last id of the previous page (uuid.Nil for the first).
func (s *Service) ListPeople(ctx context.Context, sc access.Scope, after uuid.UUID, limit int) (out []Person, err error) {
	out = []Person{}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		q := visible(tx.Order("id").Limit(limit), sc)
		if after != uuid.Nil {
			q = q.Where("id > ?", after)
		}
		return q.Find(&out).Error
	})
	return out, err
}

// UpdatePerson applies a patch. Suspending a person or changing their
// password ends their sessions and tokens.
func (s *Service) UpdatePerson(ctx context.Context, sc access.Scope, id uuid.UUID, in PersonPatch) (p Person, err error) {
	var fe errs.FieldErrors
	set := map[string]any{"updated_at": time.Now().UTC()}
	if in.DisplayName != nil {
		if v := strings.TrimSpace(*in.DisplayName); v == "" || len(v) > 200 || errs.HasControl(v) {
			fe.Add("display_name", "must be 1-200 characters, without control characters")
		} else {
			set["display_name"] = v
		}
	}
	if in.Email != nil {
		set["email"] = strings.TrimSpace(*in.Email)
	}
	if in.Status != nil {
		set["status"] = *in.Status
	}
	if in.PreferredName != nil {
		switch v := strings.TrimSpace(*in.PreferredName); {
		case v == "":
			set["preferred_name"] = nil
		case len([]rune(v)) > 100 || errs.HasControl(v):
			fe.Add("preferred_name", "must be at most 100 characters, without control characters")
		default:
			set["preferred_name"] = v
		}
	}
	patchDate(&fe, set, "birth_date", in.BirthDate, true)
	patchDate(&fe, set, "left_on", in.LeftOn, false)
	if in.Password != nil {
		if len([]rune(*in.Password)) < MinPasswordLength {
			fe.Add("password", "must be at least %d characters", MinPasswordLength)
		} else if h, err := HashPassword(*in.Password); err != nil {
			return p, err
		} else {
			set["password_hash"], set["failed_logins"], set["locked_until"] = h, 0, nil
		}
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := reach(tx, sc, id, true); err != nil {
			return err
		}
		var before Person
		if err := getPerson(tx, id, &before); err != nil {
			return err
		}
		if before.RestrictedAt != nil {
			return errs.New(errs.ErrConflict, "this person's data is restricted (%s); an admin must lift the restriction before it can be changed", before.RestrictionReason)
		}
		if name, ok := shownName(before, in, set); ok {
			set["display_name"] = name
		}
		if in.Status != nil && *in.Status == PersonSuspended {
			if err := guardLastAdmin(tx, sc.Tenant(), id); err != nil {
				return err
			}
		}
		if err := tx.Model(&Person{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return fmt.Errorf("update person: %w", err)
		}
		if in.Password != nil || (in.Status != nil && *in.Status == PersonSuspended) {
			if err := revokeAll(tx, memberCreds, id); err != nil {
				return err
			}
			// A set-password link would otherwise work again on reactivation.
			if err := tx.Exec(`UPDATE password_links SET used_at = now() WHERE person_id = ? AND used_at IS NULL`, id).Error; err != nil {
				return err
			}
		}
		if err := getPerson(tx, id, &p); err != nil {
			return err
		}
		return rectified(tx, sc, before, p)
	})
	return p, err
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// shownName is the display name a new preferred name gives someone whose
// legal name the roster keeps: the preferred (or else given) name and the
// family name, as the import builds it. A display name in the same patch
// wins; someone added by hand keeps theirs.
func shownName(before Person, in PersonPatch, set map[string]any) (string, bool) {
	if in.PreferredName == nil || in.DisplayName != nil || before.GivenName == nil || before.FamilyName == nil {
		return "", false
	}
	first := *before.GivenName
	if v, ok := set["preferred_name"].(string); ok {
		first = v
	}
	return first + " " + *before.FamilyName, true
}
