// Command lms is the platform's single binary: serve, worker, migrate,
// tenants apply, staff add, and dev (everything at once on a laptop).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/logging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "lms:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "lms",
		Short:         "Hosted learning platform: API, workers and tools",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), workerCmd(), migrateCmd(), tenantsCmd(), staffCmd(), auditCmd(), certificateCmd(), dbCmd(), backupCmd(), devCmd())
	return root
}

// loadConfig reads the environment and sets up logging; a bad variable
// stops start-up here with its name in the message.
func loadConfig() (config.Config, error) { return setUp(config.Load()) }

// loadMigrateConfig is loadConfig for the commands that only migrate: the
// serving processes' keys are not required (see config.LoadForMigrate).
func loadMigrateConfig() (config.Config, error) { return setUp(config.LoadForMigrate()) }

func setUp(cfg config.Config, err error) (config.Config, error) {
	if err != nil {
		return cfg, err
	}
	logging.Setup(os.Stderr, cfg.LogLevel)
	return cfg, nil
}
