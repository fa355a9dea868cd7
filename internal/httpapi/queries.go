package httpapi

import "github.com/google/uuid"

// The query parameters of the lists that take filters, as prototypes for
// the OpenAPI document (Route.Query): form is the parameter, doc says what
// it does, enum lists its values. Paging (?cursor=, ?limit=) is documented
// for every list and is not repeated here.

// CourseQuery filters the course list.
type CourseQuery struct {
	SchoolID uuid.UUID `form:"school_id" doc:"only this school's courses"`
	Status   string    `form:"status" doc:"only courses in this state" enum:"draft,published,archived"`
	Role     string    `form:"role" doc:"only courses I teach or learn on" enum:"teacher,learner"`
	Q        string    `form:"q" doc:"part of the title (at most 200 characters)"`
}

// EnrolmentQuery filters a course's enrolments.
type EnrolmentQuery struct {
	Role string `form:"role" doc:"only teachers or only learners" enum:"teacher,learner"`
	Q    string `form:"q" doc:"part of the person's name (at most 200 characters)"`
}

// AssignmentQuery filters a course's assignments.
type AssignmentQuery struct {
	Due string `form:"due" doc:"only those still to come or already due (by my own due date)" enum:"upcoming,past"`
}

// SubmissionQuery filters an assignment's submissions.
type SubmissionQuery struct {
	Status   string    `form:"status" doc:"only those in this marking state" enum:"unmarked,marked,released"`
	PersonID uuid.UUID `form:"person_id" doc:"only this learner's"`
}

// RosterStatusQuery filters an assignment's roster of learners.
type RosterStatusQuery struct {
	Status string `form:"status" doc:"only learners whose work is in this marking state" enum:"unmarked,marked,released"`
}

// ArrangementQuery filters access arrangements.
type ArrangementQuery struct {
	CourseID uuid.UUID `form:"course_id" doc:"only the learners of this course"`
}

// ForumQuery filters a course's forums.
type ForumQuery struct {
	Q string `form:"q" doc:"part of the title"`
}

// ThreadQuery filters a forum's threads.
type ThreadQuery struct {
	Pinned bool   `form:"pinned" doc:"only pinned (true) or unpinned (false) threads"`
	Q      string `form:"q" doc:"part of the title"`
}

// PostQuery filters a thread's posts.
type PostQuery struct {
	AuthorID uuid.UUID `form:"author_id" doc:"only this person's posts"`
}

// EngagementQuery filters a course's engagement summaries.
type EngagementQuery struct {
	Flagged bool      `form:"flagged" doc:"only flagged (true) or unflagged (false) learners"`
	GroupID uuid.UUID `form:"group_id" doc:"only this teaching group's learners"`
	Q       string    `form:"q" doc:"part of the learner's name"`
}

// SubjectRequestQuery filters the subject request queue.
type SubjectRequestQuery struct {
	Open   bool      `form:"open" doc:"only open and in-progress requests (true)"`
	Person uuid.UUID `form:"person" doc:"only requests about this person"`
}

// FormatQuery chooses a document's format.
type FormatQuery struct {
	Format string `form:"format" doc:"csv for a spreadsheet; JSON when absent" enum:"csv"`
}
