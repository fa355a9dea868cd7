package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// withApp loads the configuration, builds the platform, runs fn and closes it.
func withApp(cmd *cobra.Command, fn func(a *app.App) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	a, err := app.New(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and pages",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				slog.Info("serving", "addr", a.Config.HTTPAddr, "config", a.Config.Masked())
				return a.Serve(cmd.Context())
			})
		},
	}
}

func workerCmd() *cobra.Command {
	var concurrency int
	c := &cobra.Command{
		Use:   "worker",
		Short: "Work background jobs from the shared PostgreSQL queue",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				slog.Info("worker started", "concurrency", concurrency, "health_addr", a.Config.WorkerHealthAddr, "config", a.Config.Masked())
				return a.Work(cmd.Context(), concurrency)
			})
		},
	}
	c.Flags().IntVar(&concurrency, "concurrency", 10, "jobs worked at once by this process")
	return c
}

func migrateCmd() *cobra.Command {
	up := func(cmd *cobra.Command, _ []string) error {
		cfg, err := loadMigrateConfig()
		if err != nil {
			return err
		}
		return database.Migrate(cmd.Context(), cfg.MigrateDatabaseURL, cmd.OutOrStdout())
	}
	c := &cobra.Command{Use: "migrate", Short: "Apply database migrations (as the owner role)", RunE: up}
	c.AddCommand(&cobra.Command{Use: "up", Short: "Apply pending migrations", RunE: up})
	c.AddCommand(&cobra.Command{Use: "status", Short: "Show applied and pending migrations", RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, err := loadMigrateConfig()
		if err != nil {
			return err
		}
		return database.Status(cmd.Context(), cfg.MigrateDatabaseURL, cmd.OutOrStdout())
	}})
	return c
}

func tenantsCmd() *cobra.Command {
	c := &cobra.Command{Use: "tenants", Short: "Manage tenants from manifests"}
	c.AddCommand(&cobra.Command{
		Use:   "apply DIR",
		Short: "Create or update every tenant declared in DIR (never deletes)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(a *app.App) error { return applyDir(cmd, a, args[0]) })
		},
	})
	c.AddCommand(&cobra.Command{
		Use:   "invite SLUG",
		Short: "Email a new set-password link to the tenant's first admins who never set a password (a lost or expired invitation)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withApp(cmd, func(a *app.App) error {
				t, err := a.Tenants.BySlug(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				n, err := a.Identity.InviteFirstAdmins(cmd.Context(), t.ID)
				if err != nil {
					return err
				}
				a.Comms.QueueDelivery(cmd.Context(), t.ID)
				fmt.Fprintf(cmd.OutOrStdout(), "tenant %s: %d admins invited again (the emails go within a minute)\n", t.Slug, n)
				return nil
			})
		},
	})
	return c
}

func applyDir(cmd *cobra.Command, a *app.App, dir string) error {
	ms, files, err := tenant.LoadDir(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		res, err := a.Tenants.Apply(cmd.Context(), ms[f], uuid.Nil)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		what := "unchanged"
		if len(res.Changes) > 0 {
			what = strings.Join(res.Changes, ", ")
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: tenant %s (%s): %s\n", f, ms[f].Slug, res.TenantID, what)
	}
	return nil
}

func staffCmd() *cobra.Command {
	var email, name, role string
	var passwordStdin bool
	c := &cobra.Command{Use: "staff", Short: "Manage processor staff"}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add an operator or support staff member",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				pw := ""
				if passwordStdin {
					line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
					pw = strings.TrimRight(line, "\r\n")
				}
				st, created, err := a.Identity.EnsureStaff(cmd.Context(), email, name, identity.StaffRole(role), pw)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "staff %s (%s) %s, created=%v\n", st.Email, st.Role, st.ID, created)
				return nil
			})
		},
	}
	add.Flags().StringVar(&email, "email", "", "e-mail address (sign-in name)")
	add.Flags().StringVar(&name, "name", "", "display name")
	add.Flags().StringVar(&role, "role", string(identity.StaffOperator), "operator or support")
	add.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the initial password from standard input")
	_ = add.MarkFlagRequired("email")
	_ = add.MarkFlagRequired("name")
	var setEmail string
	set := &cobra.Command{
		Use:   "set-password",
		Short: "Set a staff member's password, read from standard input (a forgotten one); ends their sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err := a.Identity.SetStaffPassword(cmd.Context(), setEmail, strings.TrimRight(line, "\r\n")); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "password set for %s; their sessions ended\n", setEmail)
				return nil
			})
		},
	}
	set.Flags().StringVar(&setEmail, "email", "", "the staff member's e-mail address")
	_ = set.MarkFlagRequired("email")
	var resetEmail string
	reset := &cobra.Command{
		Use:   "reset-two-step",
		Short: "Take away a staff member's authenticator and recovery codes (a lost phone); ends their sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				if err := a.Identity.ResetStaffTwoStep(cmd.Context(), resetEmail); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "two-step sign-in reset for %s; their sessions ended; they set it up again at their next sign-in\n", resetEmail)
				return nil
			})
		},
	}
	reset.Flags().StringVar(&resetEmail, "email", "", "the staff member's e-mail address")
	_ = reset.MarkFlagRequired("email")
	c.AddCommand(add, set, reset)
	c.AddCommand(staffLinkCmds()...)
	return c
}
