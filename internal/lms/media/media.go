// Package media is profile photos and recordings. A profile photo is the
// person's own choice or the school's ID photo; others see it only while
// the person's photo consent ("photo-video") is in force; the person
// always sees their own; others only in the person's school. A recording (a lesson, or a video assessment)
// lists the people who appear in it, so their subject access export
// carries it and their erasure finds it; adding one says who appears
// without their photo consent in force.
package media

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// PhotoPurpose is the consent purpose photos and video rely on.
const PhotoPurpose = "photo-video"

// Recording is a recorded lesson or video assessment.
type Recording struct {
	TenantID     uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID           uuid.UUID   `gorm:"primaryKey" json:"id"`
	CourseID     uuid.UUID   `json:"course_id"`
	Title        string      `json:"title"`
	Kind         string      `json:"kind"`
	FileID       uuid.UUID   `json:"file_id"`
	RecordedOn   time.Time   `gorm:"type:date" json:"recorded_on"`
	CreatedBy    *uuid.UUID  `json:"-"`
	CreatedAt    time.Time   `json:"created_at"`
	Participants []uuid.UUID `gorm:"-" json:"participants,omitempty"` // teachers only
	// WithoutConsent lists participants whose photo consent is not in
	// force, when the recording is added: the teacher decides what to do.
	WithoutConsent []uuid.UUID `gorm:"-" json:"without_consent,omitempty"`
}

// TableName is the gorm table.
func (Recording) TableName() string { return "recordings" }

// NewRecording is the input to add one.
type NewRecording struct {
	Title        string      `json:"title" binding:"max=200"`
	Kind         string      `json:"kind"`
	FileID       uuid.UUID   `json:"file_id"`
	RecordedOn   string      `json:"recorded_on"`
	Participants []uuid.UUID `json:"participants"`
}

// MaxPhotoBytes caps a photo: everyone allowed to see it downloads it.
const MaxPhotoBytes = 5 << 20

// Service is the media service.
type Service struct {
	db    *database.DB
	files *files.Service
	now   func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB, fs *files.Service) *Service {
	return &Service{db: db, files: fs, now: time.Now}
}

// SetPhoto sets person's profile photo from a file the actor uploaded: the
// person's own (source "own"), or the school's ID photo set by an admin
// who reaches them (source "school").
func (s *Service) SetPhoto(ctx context.Context, sc access.Scope, person, fileID uuid.UUID) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		source := "own"
		if person != sc.Actor().ID {
			if err := identity.Reach(tx, sc, person, true); err != nil {
				return err
			}
			source = "school"
		}
		if err := identity.RefuseRestricted(tx, person); err != nil {
			return err
		}
		f, err := files.Claim(tx, sc, fileID, files.ForPhoto)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(f.ContentType, "image/") {
			return errs.Field("file_id", "must be an image (PNG, JPEG, GIF or WebP)")
		}
		if f.SizeBytes > MaxPhotoBytes {
			return errs.Field("file_id", "is too large for a photo: at most %d MB", MaxPhotoBytes>>20)
		}
		var old []uuid.UUID
		if err := tx.Raw(`SELECT file_id FROM profile_photos WHERE person_id = ?`, person).Pluck("file_id", &old).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO profile_photos (tenant_id, person_id, file_id, source, set_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, person_id) DO UPDATE SET file_id = EXCLUDED.file_id, source = EXCLUDED.source, set_by = EXCLUDED.set_by, set_at = now()`,
			sc.Tenant(), person, f.ID, source, sc.Actor().ID).Error; err != nil {
			return err
		}
		return files.Discard(tx, old...)
	})
}

// Photo is a download link for person's photo: to the person always, to
// others in their school only while the person's photo consent is in
// force.
func (s *Service) Photo(ctx context.Context, sc access.Scope, person uuid.UUID) (files.Link, error) {
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if person != sc.Actor().ID {
			ok, err := consent.Has(tx, person, PhotoPurpose)
			if err != nil {
				return err
			}
			// Only to people of the same school (or the whole tenant's
			// staff): a trust's other schools do not see it.
			var near bool
			if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM role_assignments v JOIN role_assignments p ON p.person_id = ?
				WHERE v.person_id = ? AND (v.school_id IS NULL OR p.school_id IS NULL OR v.school_id = p.school_id))`, person, sc.Actor().ID).
				Row().Scan(&near); err != nil {
				return err
			}
			if !ok || !near {
				return errs.New(errs.ErrNotFound, "no photo to show")
			}
		}
		var ids []uuid.UUID
		if err := tx.Raw(`SELECT file_id FROM profile_photos WHERE person_id = ?`, person).Pluck("file_id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return errs.New(errs.ErrNotFound, "no photo to show")
		}
		if f, err = files.Get(tx, ids[0]); err != nil {
			return err
		}
		region, err = files.Region(tx)
		return err
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.Link(ctx, sc, region, f)
}

// AddRecording adds a recording to a course from a video the teacher
// uploaded, with the people who appear in it (members of the course).
func (s *Service) AddRecording(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewRecording) (Recording, error) {
	r := Recording{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Kind: in.Kind, FileID: in.FileID, WithoutConsent: []uuid.UUID{}}
	var fe errs.FieldErrors
	r.Title = strings.TrimSpace(in.Title)
	if r.Title == "" || len([]rune(r.Title)) > 200 || errs.HasControl(r.Title) {
		fe.Add("title", "must be 1-200 characters")
	}
	if r.Kind != "lesson" && r.Kind != "assessment" {
		fe.Add("kind", "must be lesson or assessment")
	}
	d, err := time.Parse(time.DateOnly, in.RecordedOn)
	if err != nil || d.After(s.now()) || d.Year() < 2000 {
		fe.Add("recorded_on", "must be a date (YYYY-MM-DD), not in the future")
	}
	r.RecordedOn = d
	if len(in.Participants) > 500 {
		fe.Add("participants", "at most 500 people")
	}
	if err := fe.Err(); err != nil {
		return r, err
	}
	me := sc.Actor().ID
	r.CreatedBy = &me
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := course.RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		f, err := files.Claim(tx, sc, in.FileID, files.ForRecording)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(f.ContentType, "video/") && !strings.HasPrefix(f.ContentType, "audio/") {
			return errs.Field("file_id", "must be a video or audio recording")
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		seen := map[uuid.UUID]bool{}
		for _, p := range in.Participants {
			if seen[p] {
				continue
			}
			seen[p] = true
			var on bool
			if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM enrolments WHERE course_id = ? AND person_id = ?)`, courseID, p).Row().Scan(&on); err != nil {
				return err
			}
			if !on {
				return errs.Field("participants", "must be people on the course (%s is not)", p)
			}
			if err := tx.Exec(`INSERT INTO recording_participants (tenant_id, recording_id, person_id, file_id) VALUES (?, ?, ?, ?)`,
				r.TenantID, r.ID, p, r.FileID).Error; err != nil {
				return err
			}
			r.Participants = append(r.Participants, p)
			ok, err := consent.Has(tx, p, PhotoPurpose)
			if err != nil {
				return err
			}
			if !ok {
				r.WithoutConsent = append(r.WithoutConsent, p)
			}
		}
		return nil
	})
	return r, err
}

// Recordings lists a course's recordings, to its members; teachers also
// see who appears in each.
func (s *Service) Recordings(ctx context.Context, sc access.Scope, courseID uuid.UUID) ([]Recording, error) {
	return s.RecordingPage(ctx, sc, courseID, database.Page{Limit: 500})
}

// recordingOrder lists recordings newest first.
var recordingOrder = database.Keyset{Key: "recorded_on", Cast: "date", ID: "id", Desc: true}

// At is where a recording sits in the order RecordingPage lists them.
func (r Recording) At() (string, uuid.UUID) { return r.RecordedOn.Format(time.DateOnly), r.ID }

// RecordingPage is a page of a course's recordings, newest first.
func (s *Service) RecordingPage(ctx context.Context, sc access.Scope, courseID uuid.UUID, p database.Page) ([]Recording, error) {
	out := []Recording{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := course.Relate(tx, sc, courseID)
		if err != nil {
			return err
		}
		if !rel.Visible() {
			return errs.New(errs.ErrNotFound, "course %s", courseID)
		}
		if err := recordingOrder.Apply(tx.Where("course_id = ?", courseID), p).Find(&out).Error; err != nil {
			return err
		}
		if !rel.Teaches() {
			return nil
		}
		for i := range out {
			if err := tx.Raw(`SELECT person_id FROM recording_participants WHERE recording_id = ? ORDER BY person_id`, out[i].ID).
				Pluck("person_id", &out[i].Participants).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RecordingLink is a download link for a recording, to the members of its
// course.
func (s *Service) RecordingLink(ctx context.Context, sc access.Scope, id uuid.UUID) (files.Link, error) {
	var f files.File
	var region string
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		var r Recording
		if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&r), "recording %s", id); err != nil {
			return err
		}
		rel, err := course.Relate(tx, sc, r.CourseID)
		if err != nil || !rel.Visible() {
			return errs.New(errs.ErrNotFound, "recording %s", id)
		}
		if f, err = files.Get(tx, r.FileID); err != nil {
			return err
		}
		region, err = files.Region(tx)
		return err
	})
	if err != nil {
		return files.Link{}, err
	}
	return s.files.Link(ctx, sc, region, f)
}
