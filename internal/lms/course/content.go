package course

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/microcosm-cc/bluemonday"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/activity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// sanitiser keeps the formatting teachers use (headings, lists, tables,
// links, images, and video embedded from the players below) and drops
// scripts, event handlers, styles and any other frame. bluemonday's UGC
// policy is the well-kept allowlist for exactly this; it, not the editor,
// is the authority on what a page may hold.
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("https", "http", "mailto")
	p.AllowAttrs("src").Matching(videoPlayer).OnElements("iframe")
	p.AllowAttrs("allowfullscreen", "title").OnElements("iframe")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^ql-video$`)).OnElements("iframe")
	return p
}()

// videoPlayer are the embed addresses a page may frame (the pages' CSP
// frame-src lists the same hosts): YouTube's privacy-enhanced player and
// Vimeo's.
var videoPlayer = regexp.MustCompile(`^https://(www\.youtube-nocookie\.com/embed/|www\.youtube\.com/embed/|player\.vimeo\.com/video/)[A-Za-z0-9_-]+/?(\?[A-Za-z0-9_=&-]*)?$`)

// Sanitise cleans teacher-written HTML for display to learners. An image
// without a description gets an empty one (decorative), so a screen reader
// does not read out its address.
func Sanitise(html string) string {
	return imgWithoutAlt.ReplaceAllString(sanitiser.Sanitize(html), `<img alt=""$1`)
}

var imgWithoutAlt = regexp.MustCompile(`<img((?:\s+(?:src|title|width|height)="[^"]*")*\s*/?>)`)

// PageView is a course as its members open it: the course, its sections
// with their items in order, and, for a learner, their own progress.
type PageView struct {
	Course   Course        `json:"course"`
	Sections []SectionView `json:"sections"`
}

// SectionView is a section with its items.
type SectionView struct {
	Section
	Items []ItemSummary `json:"items"`
}

// ItemSummary is an item in the course outline (no page body).
type ItemSummary struct {
	ID        uuid.UUID `json:"id"`
	SectionID uuid.UUID `json:"-"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Position  int       `json:"position"`
	Published bool      `json:"published"`
	// VisibleFrom, when set, holds a published item back from learners.
	VisibleFrom *time.Time `json:"visible_from,omitempty"`
	URL         *string    `json:"url,omitempty"`
	FileID      *uuid.UUID `json:"file_id,omitempty"`
	Progress    *Progress  `gorm:"-" json:"progress,omitempty"`
}

// Progress is a learner's own record of one item.
type Progress struct {
	ItemID        uuid.UUID `json:"-"`
	FirstViewedAt time.Time `json:"first_viewed_at"`
	LastViewedAt  time.Time `json:"last_viewed_at"`
	Views         int       `json:"views"`
	Seconds       int       `json:"seconds"`
}

// Page opens a course: the outline every member sees (learners only
// published items) and, for a learner, their progress on each item. It
// records the learner's access.
func (s *Service) Page(ctx context.Context, sc access.Scope, id uuid.UUID) (v PageView, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var rel Relation
		if v.Course, rel, err = relateWithCourse(tx, sc, id); err != nil {
			return err
		}
		var sections []Section
		if err := tx.Where("course_id = ?", id).Order("position, id").Find(&sections).Error; err != nil {
			return fmt.Errorf("course: sections: %w", err)
		}
		// Items with the actor's own progress in one statement; only
		// learners have progress rows.
		var rows []struct {
			ItemSummary
			FirstViewedAt *time.Time
			LastViewedAt  *time.Time
			Views         *int
			Seconds       *int
		}
		err := tx.Raw(`SELECT i.id, i.section_id, i.kind, i.title, i.position, i.published, i.visible_from, i.url, i.file_id,
				p.first_viewed_at, p.last_viewed_at, p.views, p.seconds
			FROM course_items i
			LEFT JOIN item_progress p ON p.item_id = i.id AND p.person_id = @actor
			WHERE i.course_id = @course AND (`+LearnerSeesSQL+` OR @all)
			ORDER BY i.position, i.id`, map[string]any{"actor": sc.Actor().ID, "course": id, "all": rel.Teaches()}).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("course: items: %w", err)
		}
		items := make([]ItemSummary, len(rows))
		for i, r := range rows {
			items[i] = r.ItemSummary
			if r.Views != nil {
				items[i].Progress = &Progress{ItemID: r.ID, FirstViewedAt: *r.FirstViewedAt, LastViewedAt: *r.LastViewedAt, Views: *r.Views, Seconds: *r.Seconds}
			}
		}
		bySection := make(map[uuid.UUID][]ItemSummary, len(sections))
		for _, it := range items {
			bySection[it.SectionID] = append(bySection[it.SectionID], it)
		}
		v.Sections = make([]SectionView, len(sections))
		for i, sec := range sections {
			v.Sections[i] = SectionView{Section: sec, Items: bySection[sec.ID]}
			if v.Sections[i].Items == nil {
				v.Sections[i].Items = []ItemSummary{}
			}
		}
		return activity.Record(tx, sc, rel, nil, activity.Access, 0)
	})
	return v, err
}

// NewSection is the input to add a section.
type NewSection struct {
	Title string `json:"title" binding:"required,max=200"`
}

// SectionPatch renames or moves a section.
type SectionPatch struct {
	Title    *string `json:"title" binding:"omitempty,max=200"`
	Position *int    `json:"position" binding:"omitempty,min=0,max=10000"`
}

// AddSection appends a section to a course.
func (s *Service) AddSection(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewSection) (sec Section, err error) {
	var fe errs.FieldErrors
	title := fe.Line("title", in.Title, 1, 200)
	if err := fe.Err(); err != nil {
		return sec, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if _, err := RequireTeach(tx, sc, courseID); err != nil {
			return err
		}
		sec = Section{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), CourseID: courseID, Title: title}
		if err := tx.Raw(`SELECT COALESCE(max(position) + 1, 0) FROM course_sections WHERE course_id = ?`, courseID).Row().Scan(&sec.Position); err != nil {
			return fmt.Errorf("course: section position: %w", err)
		}
		return tx.Create(&sec).Error
	})
	return sec, err
}

// sectionRel finds a section and the actor's relation to its course.
func sectionRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Section, Relation, error) {
	var sec Section
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&sec), "section %s", id); err != nil {
		return sec, Relation{}, err
	}
	rel, err := RequireTeach(tx, sc, sec.CourseID)
	return sec, rel, err
}

// UpdateSection renames a section or moves it to another position.
func (s *Service) UpdateSection(ctx context.Context, sc access.Scope, id uuid.UUID, in SectionPatch) (sec Section, err error) {
	var fe errs.FieldErrors
	var title string
	if in.Title != nil {
		title = fe.Line("title", *in.Title, 1, 200)
	}
	if err := fe.Err(); err != nil {
		return sec, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if sec, _, err = sectionRel(tx, sc, id); err != nil {
			return err
		}
		if in.Title != nil {
			sec.Title = title
			if err := tx.Model(&Section{}).Where("id = ?", id).Update("title", title).Error; err != nil {
				return fmt.Errorf("course: rename section: %w", err)
			}
		}
		if in.Position != nil {
			if err := reorder(tx, "course_sections", "course_id = ?", sec.CourseID, id, *in.Position); err != nil {
				return err
			}
			return tx.Where("id = ?", id).Take(&sec).Error
		}
		return nil
	})
	return sec, err
}

// reorder moves row id of a sibling list (table rows matching where/arg) to
// position pos and renumbers the list 0..n-1.
func reorder(tx *gorm.DB, table, where string, arg any, id uuid.UUID, pos int) error {
	var ids []uuid.UUID
	if err := tx.Table(table).Where(where, arg).Where("id <> ?", id).Order("position, id").Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("course: reorder %s: %w", table, err)
	}
	pos = min(pos, len(ids))
	ids = append(ids[:pos], append([]uuid.UUID{id}, ids[pos:]...)...)
	// One statement renumbers the whole list from the ordered id array.
	err := tx.Exec(`UPDATE `+table+` t SET position = o.n - 1 FROM unnest(?::uuid[]) WITH ORDINALITY AS o(id, n) WHERE t.id = o.id`,
		uuidArray(ids)).Error
	if err != nil {
		return fmt.Errorf("course: reorder %s: %w", table, err)
	}
	return nil
}

// uuidArray renders ids as a PostgreSQL array literal.
func uuidArray(ids []uuid.UUID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// DeleteSection removes a section and everything in it, files included.
func (s *Service) DeleteSection(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sec, _, err := sectionRel(tx, sc, id)
		if err != nil {
			return err
		}
		var items []uuid.UUID
		if err := tx.Table("course_items").Where("section_id = ?", sec.ID).Pluck("id", &items).Error; err != nil {
			return fmt.Errorf("course: section items: %w", err)
		}
		if err := s.dropItems(tx, items); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM course_sections WHERE id = ?`, id).Error
	})
	if err == nil {
		s.files.PurgeSoon(ctx, sc.Tenant())
	}
	return err
}

// dropItems discards the files of items and of what hangs off them, then
// deletes the items. Objects go after commit (PurgeSoon) or by the sweeper.
func (s *Service) dropItems(tx *gorm.DB, items []uuid.UUID) error {
	if len(items) == 0 {
		return nil
	}
	for _, fn := range s.cleanups {
		if err := fn(tx, items); err != nil {
			return fmt.Errorf("course: item cleanup: %w", err)
		}
	}
	var fileIDs []uuid.UUID
	if err := tx.Table("course_items").Where("id IN ? AND file_id IS NOT NULL", items).Pluck("file_id", &fileIDs).Error; err != nil {
		return fmt.Errorf("course: item files: %w", err)
	}
	images, err := pageImages(tx, items)
	if err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM course_items WHERE id IN ?`, items).Error; err != nil {
		return fmt.Errorf("course: delete items: %w", err)
	}
	return files.Discard(tx, append(fileIDs, images...)...)
}

// NewItem is the input to add content to a section. Which fields apply
// depends on kind: body_html for a page, url for a link, file_id (from
// POST /files) for file, video and audio.
type NewItem struct {
	SectionID uuid.UUID  `json:"section_id" binding:"required"`
	Kind      string     `json:"kind" binding:"required,oneof=page file video audio link"`
	Title     string     `json:"title" binding:"required,max=200"`
	BodyHTML  *string    `json:"body_html" binding:"omitempty,max=200000"`
	URL       *string    `json:"url" binding:"omitempty,max=2048"`
	FileID    *uuid.UUID `json:"file_id"`
	Published *bool      `json:"published"`
	// VisibleFrom schedules the item: learners see it from then on.
	VisibleFrom *time.Time `json:"visible_from"`
}

// ItemPatch changes an item; nil leaves a field alone. section_id moves it
// to another section of the same course.
type ItemPatch struct {
	Title     *string    `json:"title" binding:"omitempty,max=200"`
	BodyHTML  *string    `json:"body_html" binding:"omitempty,max=200000"`
	URL       *string    `json:"url" binding:"omitempty,max=2048"`
	Published *bool      `json:"published"`
	SectionID *uuid.UUID `json:"section_id"`
	Position  *int       `json:"position" binding:"omitempty,min=0,max=10000"`
	// VisibleFrom schedules the item; Unschedule shows it as soon as it
	// is published (both at once is a contradiction, refused).
	VisibleFrom *time.Time `json:"visible_from"`
	Unschedule  bool       `json:"unschedule"`
	// FileID replaces the file of a file, video or audio item with another
	// upload (POST /files); the old one leaves storage.
	FileID *uuid.UUID `json:"file_id"`
}

// checkURL accepts absolute http(s) links only: no javascript:, data: or
// relative URLs that could point back into the platform.
func checkURL(fe *errs.FieldErrors, raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || errs.HasControl(raw) {
		fe.Add("url", "must be an absolute http or https address")
	}
	return raw
}

// wantFamily is the content family each file kind accepts.
var wantFamily = map[string]string{KindVideo: "video", KindAudio: "audio"}

// AddItem adds content at the end of a section.
func (s *Service) AddItem(ctx context.Context, sc access.Scope, courseID uuid.UUID, in NewItem) (it Item, err error) {
	var fe errs.FieldErrors
	it = Item{SectionID: in.SectionID, Kind: in.Kind, Published: in.Published == nil || *in.Published, VisibleFrom: in.VisibleFrom}
	it.Title = fe.Line("title", in.Title, 1, 200)
	switch in.Kind {
	case KindPage:
		if in.BodyHTML == nil {
			fe.Add("body_html", "is required for a page")
		} else {
			body := Sanitise(*in.BodyHTML)
			it.BodyHTML = &body
		}
	case KindLink:
		if in.URL == nil {
			fe.Add("url", "is required for a link")
		} else {
			u := checkURL(&fe, *in.URL)
			it.URL = &u
		}
	default:
		if in.FileID == nil {
			fe.Add("file_id", "is required for a %s item: upload the file first (POST /files)", in.Kind)
		}
	}
	if in.Kind != KindPage && in.BodyHTML != nil {
		fe.Add("body_html", "applies to pages only")
	}
	if in.Kind != KindLink && in.URL != nil {
		fe.Add("url", "applies to links only")
	}
	if (in.Kind == KindPage || in.Kind == KindLink) && in.FileID != nil {
		fe.Add("file_id", "applies to file, video and audio items only")
	}
	if err := fe.Err(); err != nil {
		return it, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := RequireTeach(tx, sc, courseID)
		if err != nil {
			return err
		}
		if in.FileID != nil {
			f, err := files.Claim(tx, sc, *in.FileID, files.ForContent)
			if err != nil {
				return err
			}
			if want := wantFamily[in.Kind]; want != "" && files.Family(f.ContentType) != want {
				return errs.Field("file_id", "is %s, not %s", f.ContentType, want)
			}
			it.FileID = &f.ID
		}
		if sc.Actor().Kind == access.ActorMember {
			creator := sc.Actor().ID
			it.CreatedBy = &creator // a person; an integration's items have none
		}
		if err := InsertItemTx(tx, rel, &it); err != nil || it.BodyHTML == nil {
			return err
		}
		return syncImages(tx, sc, it.ID, *it.BodyHTML)
	})
	return it, err
}

// LearnerSeesSQL is the rule LearnersSee states, for queries over items i.
const LearnerSeesSQL = `i.published AND (i.visible_from IS NULL OR i.visible_from <= now())`

// LearnersSee says whether the course's learners see the item at now: it
// is published and, when scheduled, its date has come. Teachers see all.
func (it Item) LearnersSee(now time.Time) bool {
	return it.Published && (it.VisibleFrom == nil || !it.VisibleFrom.After(now))
}

// ItemView is one item opened by a member, with a short-lived link to its
// file when it has one.
type ItemView struct {
	Item
	File *files.Link `json:"file,omitempty"`
}

// itemRel finds an item and the actor's relation to its course; learners
// see published items only.
func itemRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Item, Relation, error) {
	var it Item
	if err := database.Found(tx.Where("id = ?", id).Limit(1).Find(&it), "item %s", id); err != nil {
		return it, Relation{}, err
	}
	rel, err := Relate(tx, sc, it.CourseID)
	if err == nil && !rel.Teaches() && !it.LearnersSee(time.Now()) {
		err = errs.New(errs.ErrNotFound, "item %s", id)
	}
	return it, rel, err
}

// GetItem opens an item: its content, and for a file, video or audio item a
// presigned link issued now that the reader is authorized. A learner's view
// is recorded (activity and progress).
func (s *Service) GetItem(ctx context.Context, sc access.Scope, id uuid.UUID) (v ItemView, err error) {
	var f files.File
	var region string
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		it, rel, err := itemRel(tx, sc, id)
		if err != nil {
			return err
		}
		v.Item = it
		if it.FileID != nil {
			if f, err = files.Get(tx, *it.FileID); err != nil {
				return err
			}
			if region, err = files.Region(tx); err != nil {
				return err
			}
		}
		return activity.Record(tx, sc, rel, &it.ID, activity.View, 0)
	})
	if err != nil || v.FileID == nil {
		return v, err
	}
	link, err := s.files.Link(ctx, sc, region, f)
	if err != nil {
		return v, err
	}
	v.File = &link
	return v, nil
}

// UpdateItem changes an item's title, content, visibility or place.
func (s *Service) UpdateItem(ctx context.Context, sc access.Scope, id uuid.UUID, in ItemPatch) (it Item, err error) {
	var fe errs.FieldErrors
	set := map[string]any{}
	if in.Title != nil {
		set["title"] = fe.Line("title", *in.Title, 1, 200)
	}
	if in.BodyHTML != nil {
		set["body_html"] = Sanitise(*in.BodyHTML)
	}
	if in.URL != nil {
		set["url"] = checkURL(&fe, *in.URL)
	}
	if in.Published != nil {
		set["published"] = *in.Published
	}
	switch {
	case in.VisibleFrom != nil && in.Unschedule:
		fe.Add("unschedule", "cannot be asked for together with a visible_from date")
	case in.VisibleFrom != nil:
		set["visible_from"] = *in.VisibleFrom
	case in.Unschedule:
		set["visible_from"] = nil
	}
	if err := fe.Err(); err != nil {
		return it, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		it, rel, err := itemRel(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers may change its content")
		}
		var fe errs.FieldErrors
		if in.BodyHTML != nil && it.Kind != KindPage {
			fe.Add("body_html", "applies to pages only")
		}
		if in.URL != nil && it.Kind != KindLink {
			fe.Add("url", "applies to links only")
		}
		if in.FileID != nil && it.FileID == nil {
			fe.Add("file_id", "applies to file, video and audio items only")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if in.FileID != nil && *in.FileID != *it.FileID {
			f, err := files.Claim(tx, sc, *in.FileID, files.ForContent)
			if err != nil {
				return err
			}
			if want := wantFamily[it.Kind]; want != "" && files.Family(f.ContentType) != want {
				return errs.Field("file_id", "is %s, not %s", f.ContentType, want)
			}
			set["file_id"] = f.ID
			if err := files.Discard(tx, *it.FileID); err != nil {
				return err
			}
		}
		section := it.SectionID
		if in.SectionID != nil && *in.SectionID != it.SectionID {
			var n int64
			if err := tx.Table("course_sections").Where("id = ? AND course_id = ?", *in.SectionID, it.CourseID).Count(&n).Error; err != nil {
				return fmt.Errorf("course: section: %w", err)
			}
			if n == 0 {
				return errs.Field("section_id", "is not a section of this course")
			}
			section = *in.SectionID
			set["section_id"] = section
			if in.Position == nil {
				p := 1 << 20 // the end
				in.Position = &p
			}
		}
		if len(set) > 0 {
			set["updated_at"] = gorm.Expr("now()")
			if err := tx.Model(&Item{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return fmt.Errorf("course: update item: %w", err)
			}
		}
		if in.Position != nil {
			if err := reorder(tx, "course_items", "section_id = ?", section, id, *in.Position); err != nil {
				return err
			}
		}
		if body, ok := set["body_html"].(string); ok {
			return syncImages(tx, sc, id, body)
		}
		return nil
	})
	if err != nil {
		return it, err
	}
	if in.FileID != nil || in.BodyHTML != nil {
		s.files.PurgeSoon(ctx, sc.Tenant()) // a replaced file or image
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&it).Error })
	return it, err
}

// DeleteItem removes an item; its file leaves storage.
func (s *Service) DeleteItem(ctx context.Context, sc access.Scope, id uuid.UUID) error {
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		_, rel, err := itemRel(tx, sc, id)
		if err != nil {
			return err
		}
		if !rel.Teaches() {
			return errs.New(errs.ErrForbidden, "only the course's teachers may remove its content")
		}
		return s.dropItems(tx, []uuid.UUID{id})
	})
	if err == nil {
		s.files.PurgeSoon(ctx, sc.Tenant())
	}
	return err
}

// GetSection is one section, for its course's teachers (the pages' forms
// that add to it).
func (s *Service) GetSection(ctx context.Context, sc access.Scope, id uuid.UUID) (sec Section, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sec, _, err = sectionRel(tx, sc, id)
		return err
	})
	return sec, err
}
