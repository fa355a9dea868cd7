package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
)

// certificateCmd checks deletion certificates offline: no database, only
// the platform's public key (from --public-key, or derived from the
// configured signing key).
func certificateCmd() *cobra.Command {
	c := &cobra.Command{Use: "certificate", Short: "Deletion certificates"}
	var pub string
	verify := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a deletion certificate's signature; exits non-zero if any byte was changed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if pub == "" {
				cfg, err := config.Load()
				if err != nil {
					return err
				}
				// The key the certificate names: the current one, or one
				// retired by a rotation (LMS_SIGNING_RETIRED_PUBLIC_KEYS).
				var named struct {
					KeyID string `json:"key_id"`
				}
				_ = json.Unmarshal(file, &named)
				var ok bool
				if pub, ok = cfg.Signer().PublicFor(named.KeyID); !ok {
					return fmt.Errorf("%s: NOT VALID: signed by key %q, which this platform does not know (give --public-key)", args[0], named.KeyID)
				}
			}
			cert, err := lifecycle.Verify(file, pub)
			if err != nil {
				return fmt.Errorf("%s: NOT VALID: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid. Tenant %s (contract %s): %d rows, %d objects (%d versions, %d bytes) removed by %s.\n",
				args[0], cert.TenantID, cert.ContractReference, cert.RowsTotal, cert.ObjectsRemoved, cert.VersionsRemoved, cert.BytesRemoved,
				cert.FinishedAt.Format("2006-01-02 15:04 MST"))
			return nil
		},
	}
	verify.Flags().StringVar(&pub, "public-key", "", "the platform's public key (base64); default: the one the certificate's key_id names, from LMS_SIGNING_KEY_SECRET or LMS_SIGNING_RETIRED_PUBLIC_KEYS")
	c.AddCommand(verify, &cobra.Command{
		Use:   "public-key",
		Short: "Print the platform's public key, which anyone can use to check a certificate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			s := cfg.Signer()
			fmt.Fprintf(cmd.OutOrStdout(), "%s (key id %s)\n", s.Public(), s.KeyID())
			return nil
		},
	})
	return c
}
