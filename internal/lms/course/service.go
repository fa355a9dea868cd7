package course

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// Service manages courses, their content, enrolments and groups.
type Service struct {
	db    *database.DB
	files *files.Service
	// cleanups run, inside the deleting transaction, before course items
	// go: other areas discard the files of what hangs off an item (an
	// assignment's submissions and feedback) so no object outlives it.
	cleanups []func(tx *gorm.DB, items []uuid.UUID) error
	// copiers copy, inside the copying transaction, what other areas
	// keep of a course (its assignments, its quizzes): see OnCopy.
	copiers []func(tx *gorm.DB, cp Copying) error
	// jobs queues rollovers (UseJobs).
	jobs *jobs.Enqueuer
}

// NewService builds the service.
func NewService(db *database.DB, fs *files.Service) *Service { return &Service{db: db, files: fs} }

// OnDeleteItems registers fn to run in the transaction that deletes items,
// before they go. Wired once in app.Build.
func (s *Service) OnDeleteItems(fn func(tx *gorm.DB, items []uuid.UUID) error) {
	s.cleanups = append(s.cleanups, fn)
}

// NewCourse is the input to create a course.
type NewCourse struct {
	SchoolID uuid.UUID `json:"school_id" binding:"required"`
	Title    string    `json:"title" binding:"required,max=200"`
	Summary  string    `json:"summary" binding:"omitempty,max=5000"`
	Status   Status    `json:"status" binding:"omitempty,oneof=draft published archived"`
}

// CoursePatch changes some fields of a course; nil leaves a field alone.
type CoursePatch struct {
	Title   *string `json:"title" binding:"omitempty,max=200"`
	Summary *string `json:"summary" binding:"omitempty,max=5000"`
	Status  *Status `json:"status" binding:"omitempty,oneof=draft published archived"`
}

// Filter narrows a course list.
type Filter struct {
	SchoolID *uuid.UUID
	Status   Status // "" for any
	Role     Role   // the caller's enrolment, RoleTeacher or RoleLearner; "" for any
	Query    string // words in the title
}

// standing reads whether the actor is an admin or a teacher of school.
func standing(tx *gorm.DB, actor, school uuid.UUID) (admin, teacher bool, err error) {
	err = tx.Raw(`SELECT
		EXISTS (SELECT 1 FROM role_assignments WHERE person_id = @p AND role = 'admin' AND (school_id IS NULL OR school_id = @s)),
		EXISTS (SELECT 1 FROM role_assignments WHERE person_id = @p AND role = 'teacher' AND (school_id IS NULL OR school_id = @s))`,
		map[string]any{"p": actor, "s": school}).Row().Scan(&admin, &teacher)
	if err != nil {
		return false, false, fmt.Errorf("course: standing: %w", err)
	}
	return admin, teacher, nil
}

// Create adds a course to a school. Its school's admins may; so may a
// teacher of that school, who becomes the course's first teacher.
func (s *Service) Create(ctx context.Context, sc access.Scope, in NewCourse) (c Course, err error) {
	var fe errs.FieldErrors
	in.Title = fe.Line("title", in.Title, 1, 200)
	in.Summary = fe.Text("summary", in.Summary, 0, 5000)
	if in.Status == "" {
		in.Status = Draft
	}
	if err := fe.Err(); err != nil {
		return c, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("schools").Where("id = ?", in.SchoolID).Count(&n).Error; err != nil {
			return fmt.Errorf("course: school: %w", err)
		}
		if n == 0 {
			return errs.Field("school_id", "is not a school of this tenant")
		}
		admin, teacher, err := standing(tx, sc.Actor().ID, in.SchoolID)
		if err != nil {
			return err
		}
		// An integration that got here holds courses:write (the authorizer
		// checked): it makes courses as the school's admins do, and is no
		// course's teacher.
		admin = admin || sc.Actor().Kind == access.ActorIntegration && !sc.ReadOnly()
		if !admin && !teacher {
			return errs.Field("school_id", "is not a school where you teach or administer")
		}
		if !admin {
			may, err := teachersCreate.of(tx, in.SchoolID)
			if err != nil {
				return err
			}
			if !may {
				return errs.New(errs.ErrForbidden, "your school's admins make the courses here: ask them for a new course")
			}
		}
		c = Course{TenantID: sc.Tenant(), ID: uuid.Must(uuid.NewV7()), SchoolID: in.SchoolID, Title: in.Title, Summary: in.Summary, Status: in.Status, MyRole: RoleAdmin}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("course: create: %w", err)
		}
		if admin {
			return nil
		}
		c.MyRole = RoleTeacher
		return tx.Create(&Enrolment{TenantID: sc.Tenant(), CourseID: c.ID, PersonID: sc.Actor().ID, Role: RoleTeacher}).Error
	})
	return c, err
}

// schoolSetting is a yes/no column of schools saying what the school's
// teachers may do (default yes); only the school's admins, or the
// tenant's, change it.
type schoolSetting struct{ column, what string }

var (
	teachersCreate = schoolSetting{"teachers_create_courses", "make courses"}
	teachersEnrol  = schoolSetting{"teachers_enrol", "enrol learners"}
)

// of reads the setting of school (column is one of the two above, never input).
func (st schoolSetting) of(tx *gorm.DB, school uuid.UUID) (may bool, err error) {
	err = database.Found(tx.Raw(`SELECT `+st.column+` FROM schools WHERE id = ?`, school).Scan(&may), "school %s", school)
	return may, err
}

func (s *Service) setting(ctx context.Context, sc access.Scope, st schoolSetting, school uuid.UUID) (may bool, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		may, err = st.of(tx, school)
		return err
	})
	return may, err
}

func (s *Service) setSetting(ctx context.Context, sc access.Scope, st schoolSetting, school uuid.UUID, may bool) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		admin, _, err := standing(tx, sc.Actor().ID, school)
		if err != nil {
			return err
		}
		if !admin {
			return errs.New(errs.ErrForbidden, "only the school's admins change who may %s", st.what)
		}
		return database.Found(tx.Exec(`UPDATE schools SET `+st.column+` = ? WHERE id = ?`, may, school), "school %s", school)
	})
}

// TeachersCreate says whether the school's teachers may make courses.
func (s *Service) TeachersCreate(ctx context.Context, sc access.Scope, school uuid.UUID) (bool, error) {
	return s.setting(ctx, sc, teachersCreate, school)
}

// SetTeachersCreate changes whether the school's teachers may make courses.
func (s *Service) SetTeachersCreate(ctx context.Context, sc access.Scope, school uuid.UUID, may bool) error {
	return s.setSetting(ctx, sc, teachersCreate, school, may)
}

// listSQL finds the courses the actor may see: those they teach, those
// they learn on once published, and every course of the schools they
// administer. my_role says which.
const listSQL = `
SELECT c.*, COALESCE(e.role, 'admin') AS my_role
FROM courses c
LEFT JOIN enrolments e ON e.course_id = c.id AND e.person_id = @actor
WHERE (e.role = 'teacher' OR e.role = 'learner' AND c.status <> 'draft'
       OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.person_id = @actor AND ra.role = 'admin'
                  AND (ra.school_id IS NULL OR ra.school_id = c.school_id))
       OR @reader AND (CAST(@courses AS uuid[]) IS NULL OR c.id = ANY (CAST(@courses AS uuid[]))))
  AND c.id > @after
  AND (CAST(@school AS uuid) IS NULL OR c.school_id = @school)
  AND (@status = '' OR c.status = @status)
  AND (@role = '' OR e.role = @role)
  AND (@q = '' OR c.title ILIKE '%' || @q || '%')
ORDER BY c.id
LIMIT @limit`

// List returns a page of the courses the actor may see, in creation order.
func (s *Service) List(ctx context.Context, sc access.Scope, f Filter, after uuid.UUID, limit int) ([]Course, error) {
	out := []Course{}
	q := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query)
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(listSQL, map[string]any{"actor": sc.Actor().ID, "after": after, "school": f.SchoolID,
			"status": f.Status, "role": f.Role, "q": q, "limit": limit,
			"reader": sc.Reader(), "courses": ReaderCourses(sc)}).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("course: list: %w", err)
	}
	return out, nil
}

func myRole(r Relation) Role {
	if r.Role != "" {
		return r.Role
	}
	return RoleAdmin
}

// Update changes a course (its teachers and school admins).
func (s *Service) Update(ctx context.Context, sc access.Scope, id uuid.UUID, in CoursePatch) (c Course, err error) {
	var fe errs.FieldErrors
	set := map[string]any{}
	if in.Title != nil {
		set["title"] = fe.Line("title", *in.Title, 1, 200)
	}
	if in.Summary != nil {
		set["summary"] = fe.Text("summary", *in.Summary, 0, 5000)
	}
	if in.Status != nil {
		set["status"] = *in.Status
	}
	if err := fe.Err(); err != nil {
		return c, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		rel, err := RequireTeach(tx, sc, id)
		if err != nil {
			return err
		}
		if len(set) > 0 {
			set["updated_at"] = gorm.Expr("now()")
			if err := tx.Model(&Course{}).Where("id = ?", id).Updates(set).Error; err != nil {
				return fmt.Errorf("course: update: %w", err)
			}
		}
		c.MyRole = myRole(rel)
		return tx.Where("id = ?", id).Take(&c).Error
	})
	return c, err
}

// translate turns constraint failures the caller could cause into field
// errors; anything else passes through.
func translate(err error, field, msg string) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) || errors.Is(err, gorm.ErrDuplicatedKey) {
		return errs.Field(field, "%s", msg)
	}
	return err
}

// Teaches reports whether the actor may set work on the course (its
// teachers and its school's admins): for pages choosing which forms to
// offer. The services still check each action.
func (s *Service) Teaches(ctx context.Context, sc access.Scope, id uuid.UUID) (ok bool, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		r, err := Relate(tx, sc, id)
		ok = r.Teaches()
		return err
	})
	return ok, err
}
