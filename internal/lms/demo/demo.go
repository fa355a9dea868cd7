// Package demo seeds the demo school that `make run` shows a newcomer: a
// teacher, two learners and a published course with a page, a PDF, a short
// video, an assignment with one submission and released feedback, and a
// discussion thread. It goes through the same services as the API, so the
// demo is made exactly as a school would make it. Seeding is idempotent:
// a course already tagged demo is left alone.
package demo

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

//go:embed assets
var assets embed.FS

// Marker is the external id of the demo course; its presence means seeded.
const Marker = "demo:year5-science"

// Password is every demo person's password (refused outside dev by lms dev).
const Password = "oakfield-demo-pass"

// People are the demo members (username, display name, role).
var People = []struct {
	Username, Name string
	Role           identity.Role
}{
	{"jo.teacher", "Jo Teacher", identity.RoleTeacher},
	{"sam.learner", "Sam Learner", identity.RoleLearner},
	{"alex.learner", "Alex Learner", identity.RoleLearner},
	{"pat.parent", "Pat Parent", identity.RoleGuardian},
}

// Services are what seeding uses.
type Services struct {
	DB          *database.DB
	Identity    *identity.Service
	Files       *files.Service
	Courses     *course.Service
	Assignments *assignment.Service
	Discussion  *discussion.Service
}

// Seed makes the demo course in tenant, whose first school it uses.
// It reports whether it made anything.
func Seed(ctx context.Context, s Services, tenant uuid.UUID) (bool, error) {
	sys := access.System(tenant, "demo-seed")
	var school, admin uuid.UUID
	var done bool
	err := access.Transact(ctx, s.DB, sys, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("courses").Where("external_id = ?", Marker).Count(&n).Error; err != nil {
			return err
		}
		if done = n > 0; done {
			return nil
		}
		if err := tx.Raw(`SELECT id FROM schools ORDER BY created_at, id LIMIT 1`).Row().Scan(&school); err != nil {
			return fmt.Errorf("demo: school: %w", err)
		}
		return tx.Raw(`SELECT person_id FROM role_assignments WHERE role = 'admin' ORDER BY created_at LIMIT 1`).Row().Scan(&admin)
	})
	if err != nil || done {
		return false, err
	}
	people := map[string]uuid.UUID{}
	err = access.Transact(ctx, s.DB, sys, func(tx *gorm.DB) error {
		for _, p := range People {
			found, err := identity.FindByUsernameTx(tx, p.Username)
			if errors.Is(err, errs.ErrNotFound) {
				found, err = identity.CreatePersonTx(tx, tenant, identity.NewPerson{Username: p.Username, DisplayName: p.Name, Password: Password})
				if err == nil {
					_, err = identity.AssignRoleTx(tx, tenant, found.ID, p.Role, &school)
				}
			}
			if err != nil {
				return fmt.Errorf("demo: %s: %w", p.Username, err)
			}
			people[p.Username] = found.ID
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	teacher := access.Member(tenant, people["jo.teacher"])
	c, err := s.Courses.Create(ctx, access.Member(tenant, admin), course.NewCourse{SchoolID: school, Title: "Year 5 Science: Living things and their habitats",
		Summary: "How animals and plants live together, from the school pond to the rainforest.", Status: course.Published})
	if err != nil {
		return false, fmt.Errorf("demo: course: %w", err)
	}
	// Tag it at once, so a seed that fails part-way is never made twice.
	err = access.Transact(ctx, s.DB, sys, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE courses SET external_id = ? WHERE id = ?`, Marker, c.ID).Error
	})
	if err != nil {
		return false, err
	}
	adminSc := access.Member(tenant, admin)
	for _, p := range People {
		if p.Role == identity.RoleGuardian {
			continue // guardians act for children; they are not on courses
		}
		role := course.Role(p.Role) // a teacher teaches it, a learner learns on it
		if _, err := s.Courses.Enrol(ctx, adminSc, c.ID, people[p.Username], role); err != nil {
			return false, fmt.Errorf("demo: enrol: %w", err)
		}
	}
	week1, err := s.Courses.AddSection(ctx, teacher, c.ID, course.NewSection{Title: "Week 1: Habitats"})
	if err != nil {
		return false, err
	}
	if _, err := s.Courses.AddSection(ctx, teacher, c.ID, course.NewSection{Title: "Week 2: Food chains"}); err != nil {
		return false, err
	}
	body := `<h2>What is a habitat?</h2><p>A <strong>habitat</strong> is the place where a plant or animal lives. It gives them food, water and shelter.</p>
<ul><li>Ponds</li><li>Woodland</li><li>Rock pools</li></ul><p>This week we visit the school pond. Watch the video, then fill in the worksheet.</p>`
	if _, err := s.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: week1.ID, Kind: course.KindPage, Title: "What is a habitat?", BodyHTML: &body}); err != nil {
		return false, fmt.Errorf("demo: page: %w", err)
	}
	for _, f := range []struct{ name, kind, title string }{
		{"pond-life.mp4", course.KindVideo, "Video: pond life"},
		{"habitat-worksheet.pdf", course.KindFile, "Habitat worksheet (PDF)"},
	} {
		raw, err := assets.ReadFile("assets/" + f.name)
		if err != nil {
			return false, err
		}
		up, err := s.Files.Upload(ctx, teacher, f.name, bytes.NewReader(raw))
		if err != nil {
			return false, fmt.Errorf("demo: upload %s: %w", f.name, err)
		}
		if _, err := s.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: week1.ID, Kind: f.kind, Title: f.title, FileID: &up.ID}); err != nil {
			return false, fmt.Errorf("demo: %s: %w", f.name, err)
		}
	}
	link := "https://www.bbc.co.uk/bitesize/topics/zx882hv"
	if _, err := s.Courses.AddItem(ctx, teacher, c.ID, course.NewItem{SectionID: week1.ID, Kind: course.KindLink, Title: "BBC Bitesize: living things", URL: &link}); err != nil {
		return false, err
	}
	if err := seedWork(ctx, s, c.ID, week1.ID, teacher, access.Member(tenant, people["sam.learner"])); err != nil {
		return false, err
	}
	return true, nil
}

// seedWork sets the demo assignment, hands in Sam's work and releases Jo's
// mark and feedback, then opens the class forum with a thread and a reply.
func seedWork(ctx context.Context, s Services, courseID, section uuid.UUID, teacher, learner access.Scope) error {
	now := time.Now().UTC()
	opens := now.Add(-24 * time.Hour)
	a, err := s.Assignments.Create(ctx, teacher, courseID, assignment.NewAssignment{SectionID: section, Title: "Habitat hunt",
		Instructions: "Find three habitats around the school grounds. For each, name two living things you found there and say how the habitat helps them.",
		OpensAt:      &opens, DueAt: now.Add(14 * 24 * time.Hour), MaxScore: 10})
	if err != nil {
		return fmt.Errorf("demo: assignment: %w", err)
	}
	sub, err := s.Assignments.Submit(ctx, learner, a.ID, assignment.SubmissionInput{
		Body: "1. The pond: frogs and pond skaters. It gives them water and places to hide.\n2. The hedge: blackbirds and ladybirds. It gives shelter and berries.\n3. Under the log pile: woodlice and beetles. It is damp and dark."})
	if err != nil {
		return fmt.Errorf("demo: submission: %w", err)
	}
	score, released := 8.0, true
	if _, err := s.Assignments.SetMark(ctx, teacher, sub.ID, assignment.MarkInput{Score: &score, Released: &released,
		Feedback: "Great work, Sam. You found three different habitats and explained how each one helps. Next time, say what the animals eat there too."}); err != nil {
		return fmt.Errorf("demo: mark: %w", err)
	}
	f, err := s.Discussion.CreateForum(ctx, teacher, courseID, discussion.NewForum{Title: "Class discussion", Description: "Questions and ideas about this term's science."})
	if err != nil {
		return fmt.Errorf("demo: forum: %w", err)
	}
	th, err := s.Discussion.CreateThread(ctx, teacher, f.ID, discussion.NewThread{Title: "What did you spot at the pond?",
		Body: "Tell us one living thing you saw at the school pond today, and where exactly you saw it."})
	if err != nil {
		return fmt.Errorf("demo: thread: %w", err)
	}
	if _, err := s.Discussion.Reply(ctx, learner, th.ID, discussion.NewPost{Body: "I saw a pond skater walking on top of the water near the reeds!"}); err != nil {
		return fmt.Errorf("demo: reply: %w", err)
	}
	return nil
}
