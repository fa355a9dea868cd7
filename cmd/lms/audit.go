package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/app"
	"github.com/schoolcloud/lms/internal/platform/audit"
)

func auditCmd() *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "The tenants' hash-chained audit logs"}
	c.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Check every tenant's audit chain; exits non-zero if a record was edited, removed or reordered",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				ctx, out := cmd.Context(), cmd.OutOrStdout()
				tenants, err := a.Tenants.IDs(ctx)
				if err != nil {
					return err
				}
				broken := 0
				for _, t := range tenants {
					var problems []audit.Problem
					err := access.Transact(ctx, a.DB, access.System(t, "audit-verify"), func(tx *gorm.DB) error {
						var err error
						problems, err = audit.Verify(tx, t)
						return err
					})
					if err != nil {
						return fmt.Errorf("verify tenant %s: %w", t, err)
					}
					for _, p := range problems {
						fmt.Fprintln(out, "BROKEN", p)
					}
					broken += len(problems)
				}
				if broken > 0 {
					return errors.New(fmt.Sprint("audit log: ", broken, " problem(s) found"))
				}
				fmt.Fprintf(out, "audit log: %d tenant chains intact\n", len(tenants))
				return nil
			})
		},
	})
	return c
}
