package subject

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/privacy"
)

// An export zip holds:
//
//	README.txt           what the export is, in words
//	summary.json         Article 15's information: purposes, lawful bases, recipients, retention, source, rights
//	data/{table}.json    the person's rows, every exported column (JSON array)
//	data/{table}.csv     the same rows as CSV
//	files/{id}-{name}    the files they uploaded or that belong to their rows
//
// Rows "about" the person carry every exported column; rows that only
// name them (a mark they gave, a course item they wrote) carry the row's
// ids and the column naming them. Other people's ids are withheld.

// withheld replaces another person's id in someone's export.
const withheld = "(another person: withheld)"

// writeZip writes e's archive to w, recording progress as it goes.
func (s *Service) writeZip(ctx context.Context, sc access.Scope, e Export, w io.Writer) error {
	zw := zip.NewWriter(w)
	sum, err := s.summary(ctx, sc, e.PersonID)
	if err != nil {
		return err
	}
	for i, l := range links() {
		if l.tb.OwnOnly && (e.RequestedBy == nil || *e.RequestedBy != e.PersonID) {
			// Shared in confidence: only in the person's own export.
			sum.Withheld = append(sum.Withheld, withheldSummary{Table: l.tb.Name, Why: "shared by the person in confidence: only in an export they make themselves"})
			continue
		}
		n, err := s.writeTable(ctx, sc, zw, l, e.PersonID)
		if err != nil {
			return fmt.Errorf("subject: export %s: %w", l.tb.Name, err)
		}
		sum.add(l.tb, n)
		if err := s.countWithheld(ctx, sc, l, e.PersonID, sum); err != nil {
			return err
		}
		if err := s.progress(ctx, sc, e.ID, map[string]any{"tables_done": i + 1}); err != nil {
			return err
		}
	}
	fl, region, err := s.personFiles(ctx, sc, e.PersonID)
	if err != nil {
		return err
	}
	if err := s.progress(ctx, sc, e.ID, map[string]any{"files_total": len(fl)}); err != nil {
		return err
	}
	for i, f := range fl {
		if err := s.copyFile(ctx, zw, region, f); err != nil {
			return err
		}
		sum.Files = append(sum.Files, exportedFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, SizeBytes: f.SizeBytes, Path: filePath(f)})
		if (i+1)%10 == 0 || i == len(fl)-1 {
			if err := s.progress(ctx, sc, e.ID, map[string]any{"files_done": i + 1}); err != nil {
				return err
			}
		}
	}
	if err := writeJSON(zw, "summary.json", sum); err != nil {
		return err
	}
	rw, err := zw.Create("README.txt")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(rw, sum.readme()); err != nil {
		return err
	}
	return zw.Close()
}

// countWithheld notes in the summary how many of the person's rows of l
// the export leaves out for now, and why.
func (s *Service) countWithheld(ctx context.Context, sc access.Scope, l link, person uuid.UUID, sum *summary) error {
	if l.about == "" || l.tb.Withheld == "" {
		return nil
	}
	var n int
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM `+l.tb.Name+` t WHERE (`+l.about+`) AND (`+l.tb.Withheld+`)`, map[string]any{"p": person}).Row().Scan(&n)
	})
	if err == nil && n > 0 {
		sum.Withheld = append(sum.Withheld, withheldSummary{Table: l.tb.Name, Rows: n, Why: l.tb.WithheldWhy})
	}
	return err
}

func filePath(f files.File) string {
	return "files/" + f.ID.String() + "-" + strings.ReplaceAll(path.Base(f.Name), "/", "_")
}

// writeTable writes one table's rows of the person as JSON and CSV, each
// streamed from its own query, and returns how many rows there were.
func (s *Service) writeTable(ctx context.Context, sc access.Scope, zw *zip.Writer, l link, person uuid.UUID) (int, error) {
	cols := exported(l.tb)
	var n int
	var jw, cw io.Writer
	var cv *csv.Writer
	for pass := 0; pass < 2; pass++ {
		err := s.eachRow(ctx, sc, l, person, func(relation string, row map[string]any) error {
			if pass == 0 {
				if jw == nil {
					w, err := zw.Create("data/" + l.tb.Name + ".json")
					if err != nil {
						return err
					}
					jw = w
					_, err = io.WriteString(jw, "[\n")
					if err != nil {
						return err
					}
				} else if _, err := io.WriteString(jw, ",\n"); err != nil {
					return err
				}
				n++
				row["relation"] = relation
				b, err := json.Marshal(row)
				if err != nil {
					return err
				}
				_, err = jw.Write(b)
				return err
			}
			if cw == nil {
				w, err := zw.Create("data/" + l.tb.Name + ".csv")
				if err != nil {
					return err
				}
				cw, cv = w, csv.NewWriter(w)
				if err := cv.Write(append([]string{"relation"}, cols...)); err != nil {
					return err
				}
			}
			rec := []string{relation}
			for _, c := range cols {
				rec = append(rec, csvValue(row[c]))
			}
			return cv.Write(rec)
		})
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, nil
		}
		if pass == 0 {
			if _, err := io.WriteString(jw, "\n]\n"); err != nil {
				return 0, err
			}
		}
	}
	cv.Flush()
	return n, cv.Error()
}

// exported is the columns an export shows, in the registry's order.
func exported(tb privacy.Table) []string {
	var out []string
	for _, c := range tb.Columns {
		if c.Export == privacy.Export && c.Name != "tenant_id" {
			out = append(out, c.Name)
		}
	}
	return out
}

// eachRow calls fn for every row of l about the person ("about you") and
// every row that names them ("names you"), projected for the export.
func (s *Service) eachRow(ctx context.Context, sc access.Scope, l link, person uuid.UUID, fn func(relation string, row map[string]any) error) error {
	type part struct{ relation, where string }
	var parts []part
	if l.about != "" {
		parts = append(parts, part{"about you", l.shown()})
	}
	if w := l.naming(); w != "" {
		parts = append(parts, part{"names you", w})
	}
	me := person.String()
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		for _, p := range parts {
			// Table and column names come from the registry, never from input.
			rows, err := tx.Raw(`SELECT to_jsonb(t) FROM `+l.tb.Name+` t WHERE `+p.where, map[string]any{"p": person}).Rows()
			if err != nil {
				return err
			}
			for rows.Next() {
				var raw []byte
				if err := rows.Scan(&raw); err != nil {
					rows.Close()
					return err
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				var row map[string]any
				if err := dec.Decode(&row); err != nil {
					rows.Close()
					return err
				}
				if err := fn(p.relation, project(l.tb, row, me, p.relation == "about you")); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// project keeps what the export may show of a row: for rows about the
// person every exported column with other people's ids withheld; for rows
// that only name them, the row's ids and the columns naming them.
func project(tb privacy.Table, row map[string]any, me string, about bool) map[string]any {
	out := map[string]any{}
	for _, c := range tb.Columns {
		v, ok := row[c.Name]
		if !ok || c.Export != privacy.Export || c.Name == "tenant_id" {
			continue
		}
		isPerson := c.Refers == privacy.RefPerson
		switch {
		case isPerson && v != nil && v != me:
			if about {
				out[c.Name] = withheld
			}
		case about, isPerson:
			out[c.Name] = v
		case c.Category == privacy.Key && !isPerson:
			out[c.Name] = v
		}
	}
	return out
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func writeJSON(zw *zip.Writer, name string, v any) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// personFiles is the files of the person: those they uploaded, and those
// their rows hold (work handed in, feedback on it). Earlier exports are
// not included in a new one.
func (s *Service) personFiles(ctx context.Context, sc access.Scope, person uuid.UUID) (out []files.File, region string, err error) {
	var held []string
	for _, l := range links() {
		if l.about == "" {
			continue
		}
		for _, c := range l.files {
			held = append(held, fmt.Sprintf("SELECT t.%s FROM %s t WHERE %s", c.Name, l.tb.Name, l.shown()))
		}
	}
	q := `SELECT * FROM files f WHERE f.status = @ready AND f.attached_to IS DISTINCT FROM @export AND (f.uploaded_by = @p`
	if len(held) > 0 {
		q += ` OR f.id IN (` + strings.Join(held, " UNION ") + `)`
	}
	q += `) ORDER BY f.id`
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) (err error) {
		if region, err = files.Region(tx); err != nil {
			return err
		}
		return tx.Raw(q, map[string]any{"p": person, "ready": files.StatusReady, "export": files.ForExport}).Scan(&out).Error
	})
	return out, region, err
}

func (s *Service) copyFile(ctx context.Context, zw *zip.Writer, region string, f files.File) error {
	body, err := s.files.Open(ctx, region, f)
	if err != nil {
		return err
	}
	defer body.Close()
	// Media and documents are compressed already: store, do not deflate.
	w, err := zw.CreateHeader(&zip.FileHeader{Name: filePath(f), Method: zip.Store, Modified: f.CreatedAt})
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("subject: copy file %s: %w", f.ID, err)
	}
	return nil
}
