package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// tableScan is PostgreSQL's count of scans of one table of the benchmark
// database (pg_stat_user_tables).
type tableScan struct {
	seq, seqRows, idx, idxRows, writes int64
}

// scanCounts reads every table's scan counts. PostgreSQL publishes a
// backend's counts at most once a second, so the caller waits first.
func scanCounts(ctx context.Context, pool *pgxpool.Pool) (map[string]tableScan, error) {
	rows, err := pool.Query(ctx, `SELECT relname, coalesce(seq_scan, 0), coalesce(seq_tup_read, 0), coalesce(idx_scan, 0),
		coalesce(idx_tup_fetch, 0), n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]tableScan{}
	for rows.Next() {
		var n string
		var s tableScan
		if err := rows.Scan(&n, &s.seq, &s.seqRows, &s.idx, &s.idxRows, &s.writes); err != nil {
			return nil, err
		}
		out[n] = s
	}
	return out, rows.Err()
}

// scanDiff lists the tables read most between two counts (rows read by
// sequential and index scans), at most n.
func scanDiff(a, b map[string]tableScan, n int) []string {
	type d struct {
		name string
		s    tableScan
	}
	var ds []d
	for k, v := range b {
		u := a[k]
		x := tableScan{v.seq - u.seq, v.seqRows - u.seqRows, v.idx - u.idx, v.idxRows - u.idxRows, v.writes - u.writes}
		if x.seqRows+x.idxRows+x.writes > 0 {
			ds = append(ds, d{k, x})
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].s.seqRows+ds[i].s.idxRows > ds[j].s.seqRows+ds[j].s.idxRows })
	var out []string
	for _, x := range ds[:min(n, len(ds))] {
		out = append(out, fmt.Sprintf("%-22s %6d seq scans reading %9d rows, %7d index scans fetching %8d rows, %7d rows written",
			x.name, x.s.seq, x.s.seqRows, x.s.idx, x.s.idxRows, x.s.writes))
	}
	return out
}

// settleStats waits for the backends' statistics to be published.
func settleStats() { time.Sleep(1500 * time.Millisecond) }
