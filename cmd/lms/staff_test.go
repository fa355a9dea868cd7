package main

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// `lms staff link` records which sub-processor a support staff member works
// for (by the register's name), `lms staff list` shows it and `lms staff
// unlink` makes them the processor's own again; an operator cannot be
// linked, nor anyone to a sub-processor not in use.
func TestStaffLinkToSubProcessor(t *testing.T) {
	db := cliEnv(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.SuperURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	linked := func(email string) *uuid.UUID {
		var sp *uuid.UUID
		require.NoError(t, conn.QueryRow(ctx, `SELECT sub_processor_id FROM staff WHERE email = $1`, email).Scan(&sp))
		return sp
	}

	_, err = run(t, "staff", "add", "--email", "ivy@forensics.example", "--name", "Ivy Investigator", "--role", "support")
	require.NoError(t, err)
	_, err = run(t, "staff", "add", "--email", "ops@processor.example", "--name", "Ops", "--role", "operator")
	require.NoError(t, err)
	_, err = run(t, "staff", "link", "--email", "ivy@forensics.example", "--sub-processor", "Forensics Ltd")
	require.ErrorContains(t, err, "no sub-processor in use", "not registered yet")
	sp := uuid.Must(uuid.NewV7())
	_, err = conn.Exec(ctx, `INSERT INTO sub_processors (id, name, purpose, country, objections_close_at) VALUES ($1, 'Forensics Ltd', 'Security investigations', 'ie', now())`, sp)
	require.NoError(t, err)

	out, err := run(t, "staff", "link", "--email", "ivy@forensics.example", "--sub-processor", "forensics ltd")
	require.NoError(t, err)
	require.Contains(t, out, "works for Forensics Ltd")
	require.Equal(t, &sp, linked("ivy@forensics.example"))
	out, err = run(t, "staff", "list")
	require.NoError(t, err)
	require.Contains(t, out, "ivy@forensics.example\tsupport\tForensics Ltd\tactive")
	require.Contains(t, out, "ops@processor.example\toperator\t-\tactive")
	_, err = run(t, "staff", "link", "--email", "ops@processor.example", "--sub-processor", sp.String())
	require.ErrorContains(t, err, "only support staff")
	require.Nil(t, linked("ops@processor.example"))
	_, err = run(t, "staff", "link", "--email", "nobody@processor.example", "--sub-processor", sp.String())
	require.ErrorContains(t, err, "no staff member")

	out, err = run(t, "staff", "unlink", "--email", "ivy@forensics.example")
	require.NoError(t, err)
	require.Contains(t, out, "works for no sub-processor")
	require.Nil(t, linked("ivy@forensics.example"))
}
