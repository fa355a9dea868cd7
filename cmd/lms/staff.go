package main

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/schoolcloud/lms/internal/app"
)

// staffLinkCmds link processor staff to the sub-processor they work for
// (lms staff link / unlink / list): a linked person may be granted access
// only by schools that authorised it.
func staffLinkCmds() []*cobra.Command {
	var email, sp string
	link := &cobra.Command{
		Use:   "link",
		Short: "Record that a support staff member works for a sub-processor: schools that did not authorise it refuse them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				staff, err := a.Support.StaffByEmail(cmd.Context(), email)
				if err != nil {
					return err
				}
				id, err := a.Support.SubProcessorByName(cmd.Context(), sp)
				if err != nil {
					return err
				}
				m, err := a.Support.LinkStaff(cmd.Context(), uuid.Nil, staff, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s works for %s: only schools that authorised it can grant them access\n", m.Email, m.SubProcessorName)
				return nil
			})
		},
	}
	link.Flags().StringVar(&email, "email", "", "the staff member's e-mail address")
	link.Flags().StringVar(&sp, "sub-processor", "", "the sub-processor's name in the register, or its id")
	_ = link.MarkFlagRequired("email")
	_ = link.MarkFlagRequired("sub-processor")
	var unlinkEmail string
	unlink := &cobra.Command{
		Use:   "unlink",
		Short: "Record that a staff member no longer works for a sub-processor (the processor's own staff)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				staff, err := a.Support.StaffByEmail(cmd.Context(), unlinkEmail)
				if err != nil {
					return err
				}
				m, err := a.Support.UnlinkStaff(cmd.Context(), uuid.Nil, staff)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s works for no sub-processor\n", m.Email)
				return nil
			})
		},
	}
	unlink.Flags().StringVar(&unlinkEmail, "email", "", "the staff member's e-mail address")
	_ = unlink.MarkFlagRequired("email")
	list := &cobra.Command{
		Use:   "list",
		Short: "List processor staff with their role and sub-processor",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, func(a *app.App) error {
				all, err := a.Support.Staff(cmd.Context())
				if err != nil {
					return err
				}
				for _, m := range all {
					sp := "-"
					if m.SubProcessorName != "" {
						sp = m.SubProcessorName
					}
					state := "active"
					if m.DisabledAt != nil {
						state = "disabled"
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\t%s\n", m.Email, m.Role, sp, state)
				}
				return nil
			})
		},
	}
	return []*cobra.Command{link, unlink, list}
}
