package database_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/database/dbtest"
)

type keyRow struct {
	K  string
	ID uuid.UUID
}

// A keyset page continues after the last row seen in (key, id) order,
// whichever way it runs, with keys that repeat, and stays in place when a
// row is added before it: nothing repeats, nothing is skipped.
func TestKeysetPagesInOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	owner, err := database.Open(context.Background(), db.OwnerURL, 2)
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, owner.Gorm.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(`CREATE TEMP TABLE rows (k text, id uuid) ON COMMIT DROP`).Error)
		for i := range 7 {
			require.NoError(t, tx.Exec(`INSERT INTO rows VALUES (?, ?)`, fmt.Sprint("k", i%3), uuid.Must(uuid.NewV7())).Error)
		}
		for _, desc := range []bool{false, true} {
			k := database.Keyset{Key: "k", Cast: "text", ID: "id", Desc: desc}
			var want []keyRow
			require.NoError(t, k.Apply(tx.Table("rows"), database.Page{}).Scan(&want).Error)
			require.Len(t, want, 7)
			var got []keyRow
			p := database.Page{Limit: 2}
			for {
				var page []keyRow
				require.NoError(t, k.Apply(tx.Table("rows"), p).Scan(&page).Error)
				got = append(got, page...)
				if len(page) < p.Limit {
					break
				}
				p.Key, p.After = page[len(page)-1].K, page[len(page)-1].ID
				if len(got) == 2 && !desc { // a row before the cursor: the next page does not move
					require.NoError(t, tx.Exec(`INSERT INTO rows VALUES ('k0', ?)`, uuid.Nil).Error)
				}
			}
			require.Equal(t, want, got, "desc=%v", desc)
			require.NoError(t, tx.Exec(`DELETE FROM rows WHERE id = ?`, uuid.Nil).Error)
		}
		// The same order as raw SQL with named parameters.
		k := database.Keyset{Key: "k", Cast: "text", ID: "id"}
		var first []keyRow
		require.NoError(t, k.Apply(tx.Table("rows"), database.Page{Limit: 3}).Scan(&first).Error)
		p := database.Page{Key: first[2].K, After: first[2].ID, Limit: 3}
		var raw, orm []keyRow
		require.NoError(t, tx.Raw(`SELECT * FROM rows WHERE `+k.Cond(p)+k.Tail(p), p.Args(map[string]any{})).Scan(&raw).Error)
		require.NoError(t, k.Apply(tx.Table("rows"), p).Scan(&orm).Error)
		require.Equal(t, orm, raw)
		return nil
	}))
}
