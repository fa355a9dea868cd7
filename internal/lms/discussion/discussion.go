// Package discussion holds per-course forums, their threads and posts.
// Everyone who may see a course (course.Relate) may read its forums and
// post in them; authors edit and delete their own posts; the course's
// teachers and its school's admins moderate: they hide or delete any post,
// lock, pin and remove threads, and manage the forums. A learner's post is
// recorded as activity for the engagement summaries.
package discussion

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Service manages forums, threads and posts.
type Service struct {
	db *database.DB
	// replied are told, in the transaction, of each reply (notices to
	// the thread's other writers).
	replied []func(tx *gorm.DB, sc access.Scope, thread, post uuid.UUID) error
}

// OnReply adds fn to every reply in a thread, in its transaction.
func (s *Service) OnReply(fn func(tx *gorm.DB, sc access.Scope, thread, post uuid.UUID) error) {
	s.replied = append(s.replied, fn)
}

// NewService builds the service.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// Limits of the stored text, as in migrations/00006_discussion.sql.
const (
	MaxTitle       = 200
	MaxDescription = 5000
	MaxBody        = 20000
	MaxReason      = 500
)

// Forum is one discussion forum of a course.
type Forum struct {
	TenantID    uuid.UUID  `gorm:"primaryKey" json:"-"`
	ID          uuid.UUID  `gorm:"primaryKey" json:"id"`
	CourseID    uuid.UUID  `json:"course_id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	CreatedBy   *uuid.UUID `json:"created_by,omitempty"`
	// ClosedAt is when a teacher closed the forum: readable, but only its
	// teachers start threads and reply there.
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// ThreadCount is how many threads the forum holds.
	ThreadCount int `gorm:"->;-:migration" json:"thread_count"`
}

// TableName is the gorm table.
func (Forum) TableName() string { return "forums" }

// Thread is a conversation in a forum; its first post opens it.
type Thread struct {
	TenantID uuid.UUID `gorm:"primaryKey" json:"-"`
	ID       uuid.UUID `gorm:"primaryKey" json:"id"`
	ForumID  uuid.UUID `json:"forum_id"`
	// CourseID is the forum's course (read with the thread, not stored).
	CourseID uuid.UUID `gorm:"->;-:migration" json:"course_id"`
	// ForumClosed says the forum is closed (read with the thread).
	ForumClosed bool       `gorm:"->;-:migration" json:"forum_closed"`
	Title       string     `json:"title"`
	AuthorID    *uuid.UUID `json:"author_id"`
	AuthorName  string     `gorm:"->;-:migration" json:"author_name"`
	Locked      bool       `json:"locked"`
	Pinned      bool       `json:"pinned"`
	PostCount   int        `json:"post_count"`
	LastPostAt  time.Time  `json:"last_post_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// FirstPost is the opening post, returned when the thread is created.
	FirstPost *Post `gorm:"-" json:"first_post,omitempty"`
}

// TableName is the gorm table.
func (Thread) TableName() string { return "threads" }

// Post is one message in a thread as the reader may see it. A deleted
// post keeps its place with an empty body; a hidden post's body and reason
// reach only its author and the course's teachers.
type Post struct {
	ID           uuid.UUID  `json:"id"`
	ThreadID     uuid.UUID  `json:"thread_id"`
	AuthorID     *uuid.UUID `json:"author_id"`
	AuthorName   string     `json:"author_name"`
	Body         string     `json:"body"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at,omitempty"`
	Deleted      bool       `json:"deleted"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	Hidden       bool       `json:"hidden"`
	HiddenAt     *time.Time `json:"hidden_at,omitempty"`
	HiddenReason *string    `json:"hidden_reason,omitempty"`
}

// NewForum is the input to open a forum.
type NewForum struct {
	Title       string `json:"title" binding:"required,max=200"`
	Description string `json:"description" binding:"max=5000"`
}

// ForumPatch changes a forum; nil leaves a field alone.
type ForumPatch struct {
	Title       *string `json:"title" binding:"omitempty,max=200"`
	Description *string `json:"description" binding:"omitempty,max=5000"`
	// Closed closes the forum to learners' posts, or opens it again.
	Closed *bool `json:"closed"`
}

// NewThread starts a thread with its first post.
type NewThread struct {
	Title string `json:"title" binding:"required,max=200"`
	Body  string `json:"body" binding:"required,max=20000"`
}

// ThreadPatch changes a thread: its author or a teacher the title, only
// teachers locked and pinned.
type ThreadPatch struct {
	Title  *string `json:"title" binding:"omitempty,max=200"`
	Locked *bool   `json:"locked"`
	Pinned *bool   `json:"pinned"`
}

// NewPost is a reply.
type NewPost struct {
	Body string `json:"body" binding:"required,max=20000"`
}

// PostPatch changes a post: its author the body; a teacher hides it (with
// a reason the author is shown) or shows it again.
type PostPatch struct {
	Body         *string `json:"body" binding:"omitempty,max=20000"`
	Hidden       *bool   `json:"hidden"`
	HiddenReason *string `json:"hidden_reason" binding:"omitempty,max=500"`
}

// ThreadFilter narrows a thread list.
type ThreadFilter struct {
	Pinned *bool
	Query  string // words in the title
}

// PostFilter narrows a post list.
type PostFilter struct {
	AuthorID *uuid.UUID
}

// likePattern escapes a search for ILIKE '%' || q || '%'.
func likePattern(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}

// mayWrite refuses writes by learners on an archived course: it stays
// readable to them, as a record, but closed.
func mayWrite(rel course.Relation) error {
	if !rel.Teaches() && rel.Status == course.Archived {
		return errs.New(errs.ErrForbidden, "the course is archived; its discussions are read-only")
	}
	return nil
}

func requireTeach(rel course.Relation, what string) error {
	if !rel.Teaches() {
		return errs.New(errs.ErrForbidden, "only the course's teachers and its school's admins may %s", what)
	}
	return nil
}

// mayPost refuses learners' new threads and replies in a closed forum or
// a locked thread; the course's teachers still may.
func mayPost(rel course.Relation, forumClosed, locked bool) error {
	switch {
	case rel.Teaches():
		return nil
	case forumClosed:
		return errs.New(errs.ErrForbidden, "the forum is closed: its teachers have stopped new posts")
	case locked:
		return errs.New(errs.ErrForbidden, "the thread is locked")
	}
	return mayWrite(rel)
}

// forumRel finds a forum and the actor's relation to its course.
func forumRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Forum, course.Relation, error) {
	var f Forum
	if err := database.Found(tx.Raw(`SELECT f.*, (SELECT count(*) FROM threads t WHERE t.forum_id = f.id) AS thread_count
		FROM forums f WHERE f.id = ?`, id).Scan(&f), "forum %s", id); err != nil {
		return f, course.Relation{}, err
	}
	rel, err := course.Relate(tx, sc, f.CourseID)
	return f, rel, err
}

// threadSQL reads threads with their course and author's name.
const threadSQL = `SELECT t.*, f.course_id, f.closed_at IS NOT NULL AS forum_closed, COALESCE(p.display_name, '') AS author_name
	FROM threads t JOIN forums f ON f.id = t.forum_id
	LEFT JOIN people p ON p.id = t.author_id`

// threadRel finds a thread and the actor's relation to its course.
func threadRel(tx *gorm.DB, sc access.Scope, id uuid.UUID) (Thread, course.Relation, error) {
	var t Thread
	if err := database.Found(tx.Raw(threadSQL+` WHERE t.id = ?`, id).Scan(&t), "thread %s", id); err != nil {
		return t, course.Relation{}, err
	}
	rel, err := course.Relate(tx, sc, t.CourseID)
	return t, rel, err
}
