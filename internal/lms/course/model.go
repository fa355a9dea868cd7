// Package course holds a school's courses: their sections and ordered
// content items (pages, files, video, audio, links), enrolments of teachers
// and learners, and teaching groups. Relate says how the acting person
// stands to a course; every other learning package asks it first.
package course

import (
	"time"

	"github.com/google/uuid"
)

// Status is where a course is in its life; the value is what
// courses.status holds.
type Status string

// Course statuses.
const (
	Draft     Status = "draft"     // seen only by its teachers and admins
	Published Status = "published" // open to its learners
	Archived  Status = "archived"  // readable by the learners who took it; no new work
)

// Role is a person's enrolment on a course; the value is what
// enrolments.role holds. It is not the tenant role (identity.Role) of the
// same name: a teacher of the school teaches only the courses they are on.
type Role string

// Enrolment roles.
const (
	RoleTeacher Role = "teacher"
	RoleLearner Role = "learner"
	// RoleAdmin is never an enrolment: Course.MyRole says it for an admin
	// who manages the course without being on it.
	RoleAdmin Role = "admin"
)

// Item kinds.
const (
	KindPage       = "page"
	KindFile       = "file"
	KindVideo      = "video"
	KindAudio      = "audio"
	KindLink       = "link"
	KindAssignment = "assignment"
)

// Course is one course of a school.
type Course struct {
	TenantID   uuid.UUID `gorm:"primaryKey" json:"-"`
	ID         uuid.UUID `gorm:"primaryKey" json:"id"`
	SchoolID   uuid.UUID `json:"school_id"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Status     Status    `json:"status"`
	ExternalID *string   `json:"external_id,omitempty"`
	// TermID is the term the course runs in (from the roster, or set by
	// a rollover); nil for a course in no term.
	TermID    *uuid.UUID `json:"term_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// MyRole is the caller's enrolment (RoleTeacher, RoleLearner) or
	// RoleAdmin when they manage the course without being enrolled.
	MyRole Role `gorm:"->;-:migration" json:"my_role,omitempty"`
}

// TableName is the gorm table.
func (Course) TableName() string { return "courses" }

// Section is an ordered part of a course.
type Section struct {
	TenantID  uuid.UUID `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID `gorm:"primaryKey" json:"id"`
	CourseID  uuid.UUID `json:"course_id"`
	Title     string    `json:"title"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName is the gorm table.
func (Section) TableName() string { return "course_sections" }

// Item is one piece of content in a section.
type Item struct {
	TenantID  uuid.UUID `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID `gorm:"primaryKey" json:"id"`
	CourseID  uuid.UUID `json:"course_id"`
	SectionID uuid.UUID `json:"section_id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Position  int       `json:"position"`
	Published bool      `json:"published"`
	// VisibleFrom holds a published item back from learners until then.
	VisibleFrom *time.Time `json:"visible_from,omitempty"`
	BodyHTML    *string    `json:"body_html,omitempty"`
	URL         *string    `json:"url,omitempty"`
	FileID      *uuid.UUID `json:"file_id,omitempty"`
	CreatedBy   *uuid.UUID `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// TableName is the gorm table.
func (Item) TableName() string { return "course_items" }

// Enrolment puts a person on a course as teacher or learner.
type Enrolment struct {
	TenantID   uuid.UUID `gorm:"primaryKey" json:"-"`
	CourseID   uuid.UUID `gorm:"primaryKey" json:"course_id"`
	PersonID   uuid.UUID `gorm:"primaryKey" json:"person_id"`
	Role       Role      `json:"role"`
	ExternalID *string   `json:"external_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// DisplayName is the person's name, for lists.
	DisplayName string `gorm:"->;-:migration" json:"display_name,omitempty"`
}

// TableName is the gorm table.
func (Enrolment) TableName() string { return "enrolments" }

// Group is a teaching group within a course.
type Group struct {
	TenantID  uuid.UUID   `gorm:"primaryKey" json:"-"`
	ID        uuid.UUID   `gorm:"primaryKey" json:"id"`
	CourseID  uuid.UUID   `json:"course_id"`
	Name      string      `json:"name"`
	CreatedAt time.Time   `json:"created_at"`
	Members   []uuid.UUID `gorm:"-" json:"members"`
}

// TableName is the gorm table.
func (Group) TableName() string { return "teaching_groups" }
