package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// dbCmd holds database operations beyond migrating: the Citus plan.
func dbCmd() *cobra.Command {
	c := &cobra.Command{Use: "db", Short: "Database operations"}
	c.AddCommand(&cobra.Command{
		Use:   "citus-plan",
		Short: "Print the SQL that distributes this database with Citus by tenant_id (reference tables first, then every tenant table)",
		Long: "Reads the live schema (as LMS_DATABASE_URL, so it runs in an API pod) and prints the statements to run once on a Citus coordinator.\n" +
			"Exits 1 without printing them when the schema has something Citus would refuse.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadMigrateConfig()
			if err != nil {
				return err
			}
			db, err := database.Open(cmd.Context(), cfg.DatabaseURL, 2)
			if err != nil {
				return err
			}
			defer db.Close()
			p, err := database.PlanCitus(db.Gorm.WithContext(cmd.Context()))
			if err != nil {
				return err
			}
			if len(p.Problems) > 0 {
				for _, pr := range p.Problems {
					fmt.Fprintln(cmd.ErrOrStderr(), "citus-plan:", pr)
				}
				return fmt.Errorf("citus-plan: %d problems: the schema cannot be distributed as it is", len(p.Problems))
			}
			for _, s := range p.Statements {
				fmt.Fprintln(cmd.OutOrStdout(), s)
			}
			return nil
		},
	})
	return c
}
