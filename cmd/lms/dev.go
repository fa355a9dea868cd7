package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/demo"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Demo staff seeded by `lms dev`. Their passwords are for a laptop only.
var demoStaff = []struct {
	email, name string
	role        identity.StaffRole
	password    string
}{
	{"operator@processor.example", "Olive Operator", identity.StaffOperator, "operator-demo-pass"},
	{"support@processor.example", "Sam Support", identity.StaffSupport, "support-demo-pass"},
	// A second operator, to confirm legal obligations the first records.
	{"legal@processor.example", "Lee Legal", identity.StaffOperator, "legal-demo-pass"},
}

func devCmd() *cobra.Command {
	var tenantsDir string
	c := &cobra.Command{
		Use:   "dev",
		Short: "Laptop all-in-one: create roles and database, migrate, seed demo tenants, serve and work jobs",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if cfg.Env == "prod" {
				return fmt.Errorf("lms dev refuses LMS_ENV=prod: it seeds demo accounts")
			}
			if err := bootstrap(ctx, &cfg); err != nil {
				return err
			}
			if err := database.Migrate(ctx, cfg.MigrateDatabaseURL, os.Stdout); err != nil {
				return err
			}
			a, err := app.New(ctx, cfg)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := applyDir(cmd, a, tenantsDir); err != nil {
				return err
			}
			for _, s := range demoStaff {
				if _, _, err := a.Identity.EnsureStaff(ctx, s.email, s.name, s.role, s.password); err != nil {
					return err
				}
			}
			if err := seedDemo(ctx, a); err != nil {
				return err
			}
			printWelcome(cfg)
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error { return a.Serve(gctx) })
			g.Go(func() error { return a.Work(gctx, 4) })
			return g.Wait()
		},
	}
	c.Flags().StringVar(&tenantsDir, "tenants", "tenants", "directory of tenant manifests to apply")
	return c
}

// bootstrap creates the roles and the database when a superuser URL is
// given (deploy/local/services.sh writes one), and points the service at
// them unless the database URLs were set explicitly.
func bootstrap(ctx context.Context, cfg *config.Config) error {
	if cfg.AdminDatabaseURL == "" {
		return nil
	}
	if err := database.EnsureRoles(ctx, cfg.AdminDatabaseURL); err != nil {
		return err
	}
	if err := database.EnsureDatabase(ctx, cfg.AdminDatabaseURL, "lms", ""); err != nil {
		return err
	}
	var err error
	if _, set := os.LookupEnv("LMS_DATABASE_URL"); !set {
		if cfg.DatabaseURL, err = database.RoleURL(cfg.AdminDatabaseURL, database.ServerRole, "lms"); err != nil {
			return err
		}
	}
	if _, set := os.LookupEnv("LMS_MIGRATE_DATABASE_URL"); !set {
		if cfg.MigrateDatabaseURL, err = database.RoleURL(cfg.AdminDatabaseURL, database.OwnerRole, "lms"); err != nil {
			return err
		}
	}
	return nil
}

// seedDemo gives the demo primary school its demo course (once).
func seedDemo(ctx context.Context, a *app.App) error {
	t, err := a.Tenants.BySlug(ctx, "oakfield-primary")
	if errors.Is(err, errs.ErrNotFound) {
		return nil // manifests without the demo school: nothing to seed
	}
	if err != nil {
		return err
	}
	made, err := demo.Seed(ctx, demo.Services{DB: a.DB, Identity: a.Identity, Files: a.Files, Courses: a.Courses,
		Assignments: a.Assignments, Discussion: a.Discussion}, t.ID)
	if err != nil {
		return fmt.Errorf("demo course: %w", err)
	}
	if made {
		fmt.Println("demo: seeded the Year 5 Science course in oakfield-primary")
	}
	if made, err := demo.SeedDay(ctx, demo.Services{DB: a.DB, Assignments: a.Assignments}, t.ID); err != nil {
		return fmt.Errorf("demo day: %w", err)
	} else if made {
		fmt.Println("demo: the class has a pond diary due tomorrow and a drawing missing")
	}
	// The demo head decides support requests too (the approver role).
	err = access.Transact(ctx, a.DB, access.System(t.ID, "demo-seed"), func(tx *gorm.DB) error {
		p, err := identity.FindByUsernameTx(tx, "head@oakfield.example")
		if err != nil {
			return err
		}
		_, err = identity.AssignRoleTx(tx, t.ID, p.ID, identity.RoleApprover, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("demo approver: %w", err)
	}
	a.Authz.Invalidate(t.ID)
	if err := seedSSO(ctx, a, t.ID, a.Config.PublicURL); err != nil {
		// The demo works without it: say why and go on.
		fmt.Printf("demo: no sign-in with the local OpenID provider: %v\n", err)
	}
	return seedGuardian(ctx, a, t.ID)
}

// seedGuardian makes Sam a nine-year-old whose consents Pat Parent, his
// linked guardian, gives: the demo of the under-13 rule.
func seedGuardian(ctx context.Context, a *app.App, tenantID uuid.UUID) error {
	sys := access.System(tenantID, "demo-seed")
	sam, err := a.Identity.FindByUsername(ctx, sys, "sam.learner")
	if err != nil {
		return err
	}
	pat, err := a.Identity.FindByUsername(ctx, sys, "pat.parent")
	if err != nil {
		return err
	}
	var admin uuid.UUID
	if err := access.Transact(ctx, a.DB, sys, func(tx *gorm.DB) error {
		p, err := identity.FindByUsernameTx(tx, "head@oakfield.example")
		admin = p.ID
		return err
	}); err != nil {
		return err
	}
	head := access.Member(tenantID, admin)
	if sam.BirthDate == nil {
		born := time.Now().AddDate(-9, 0, 0).Format(time.DateOnly)
		if _, err := a.Identity.UpdatePerson(ctx, head, sam.ID, identity.PersonPatch{BirthDate: &born}); err != nil {
			return fmt.Errorf("demo: Sam's date of birth: %w", err)
		}
	}
	if err := a.Consents.LinkGuardian(ctx, head, pat.ID, sam.ID); err != nil && !errors.Is(err, errs.ErrConflict) {
		return fmt.Errorf("demo: guardian: %w", err)
	}
	return nil
}

func printWelcome(cfg config.Config) {
	fmt.Printf(`
================================================================
 LMS is running: open %s/signin in a browser
   (staff: %s/staff/signin; API: %s/api/v1/openapi.json; health: %s/readyz)

 Demo school admin   tenant: oakfield-primary   username: head@oakfield.example   password: oakfield-demo-pass
 Demo teacher        tenant: oakfield-primary   username: jo.teacher              password: oakfield-demo-pass
 Demo learners       tenant: oakfield-primary   username: sam.learner, alex.learner   password: oakfield-demo-pass
 Demo guardian       tenant: oakfield-primary   username: pat.parent (Sam's)      password: oakfield-demo-pass
 Demo trust admin    tenant: northern-lights-trust   username: ceo@nlt.example   password: nlt-demo-pass
 One school's admin  tenant: northern-lights-trust   username: office@borealis.example   password: borealis-demo-pass
 Processor operator  email: operator@processor.example   password: operator-demo-pass
 Processor support   email: support@processor.example    password: support-demo-pass
 Second operator     email: legal@processor.example      password: legal-demo-pass

 Sign in:  curl -c jar -H 'Content-Type: application/json' \
   -d '{"tenant":"oakfield-primary","username":"head@oakfield.example","password":"oakfield-demo-pass"}' \
   %s/api/v1/auth/login
================================================================
`, cfg.PublicURL, cfg.PublicURL, cfg.PublicURL, cfg.PublicURL, cfg.PublicURL)
}
