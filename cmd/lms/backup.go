package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/app"
)

// backupCmd holds operations on the per-tenant backups that have no page:
// re-wrapping tenants' keys after the platform backup key is rotated.
func backupCmd() *cobra.Command {
	c := &cobra.Command{Use: "backup", Short: "Per-tenant backups"}
	c.AddCommand(&cobra.Command{
		Use:   "rewrap",
		Short: "Wrap every tenant's backup key, and seal every two-step sign-in key, with the first key of LMS_BACKUP_KEY_SECRET (after a rotation)",
		Long: "Rotation: set LMS_BACKUP_KEY_SECRET to NEW,OLD and restart, run this once, then set it to NEW alone.\n" +
			"Backups themselves are not touched: only each tenant's wrapped key is re-encrypted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				n, err := a.Backups.Rewrap(cmd.Context())
				fmt.Fprintf(cmd.OutOrStdout(), "re-wrapped %d tenant backup keys\n", n)
				if err != nil {
					return err
				}
				// Two-step sign-in secrets are sealed to the same key.
				ids, err := a.Tenants.IDs(cmd.Context())
				if err != nil {
					return err
				}
				m, err := a.Identity.ResealTwoStep(cmd.Context(), ids)
				fmt.Fprintf(cmd.OutOrStdout(), "re-sealed %d two-step sign-in keys\n", m)
				return err
			})
		},
	})
	return c
}
