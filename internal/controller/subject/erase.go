package subject

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/controller/exportjob"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/privacy"
)

// Erased replaces free text the school must keep the row of (a forum post
// stays in its thread with its words and author removed).
const Erased = "[erased]"

// Erasure is what erasing a person did.
type Erasure struct {
	RowsDeleted    int64 `json:"rows_deleted"`
	RowsAnonymised int64 `json:"rows_anonymised"`
	Files          int   `json:"files"`
	// UploadsAborted counts the incomplete multipart uploads of the
	// person's files and exports and of the school's unfinished full
	// exports that the erasure aborted (an upload or export that failed
	// while the store was down left their parts).
	UploadsAborted int         `json:"uploads_aborted"`
	Kept           []Kept      `json:"kept"`
	Ref            string      `json:"ref"` // the erasure ledger's entry (a keyed hash, not the person's id)
	doomed         []uuid.UUID // files marked for the purge, whose uploads go too
}

// Kept is data about the person the erasure did not remove because the
// registry says it must be kept; it is listed, not silently kept.
type Kept struct {
	Table     string `json:"table"`
	Rows      int64  `json:"rows"`
	Basis     string `json:"lawful_basis"`
	Retention string `json:"retention"`
}

// Ref is the keyed hash that stands for a person in the erasure ledger and
// in audit records about them.
func (s *Service) Ref(tenant, person uuid.UUID) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(tenant.String() + ":" + person.String()))
	return hex.EncodeToString(m.Sum(nil))
}

// Erase erases person by the registry's rule for each column: rows about
// them are deleted, or kept anonymised where the school must keep the row;
// columns elsewhere that name them are cleared; their files go (every
// version, by the files purge). A person under a legal hold is refused.
// The erasure ledger records a keyed hash of the person so a restore can
// erase them again.
func (s *Service) Erase(ctx context.Context, sc access.Scope, person uuid.UUID, request *uuid.UUID) (out Erasure, err error) {
	if sc.Actor().ID == person {
		return out, errs.New(errs.ErrConflict, "you cannot erase your own account; ask another admin")
	}
	types, err := s.db.ColumnTypes(ctx)
	if err != nil {
		return out, err
	}
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, person, true); err != nil {
			return err
		}
		var hold string
		if err := tx.Raw(`SELECT reason FROM retention_holds WHERE person_id = ? AND released_at IS NULL LIMIT 1`, person).Scan(&hold).Error; err != nil {
			return err
		}
		if hold != "" {
			return errs.New(errs.ErrConflict, "this person's data is under a legal hold (%s); release the hold before erasing", hold)
		}
		if err := identity.GuardLastAdmin(tx, sc.Tenant(), person); err != nil {
			return err
		}
		if request != nil {
			var r Request
			if err := s.get(tx, sc, *request, &r); err != nil || r.PersonID == nil || *r.PersonID != person || r.Kind != "erasure" || r.ClosedAt != nil {
				return errs.Field("request_id", "must be an open erasure request of this person")
			}
		}
		var err error
		out, err = s.erase(tx, person, types)
		if err != nil {
			return err
		}
		out.Ref = s.Ref(sc.Tenant(), person)
		if err := tx.Exec(`INSERT INTO erasure_ledger (tenant_id, subject_hash, request_id, rows_deleted, rows_kept, objects) VALUES (?, ?, ?, ?, ?, ?)`,
			sc.Tenant(), out.Ref, request, out.RowsDeleted, out.RowsAnonymised, out.Files).Error; err != nil {
			return fmt.Errorf("subject: erasure ledger: %w", err)
		}
		// The school's full exports hold the person too, the unfinished
		// ones (a run in progress, one that failed) in their uploaded
		// parts: they go (the files purge removes every version); the
		// school makes another, and a run in progress fails and is made again.
		var exports []uuid.UUID
		if err := tx.Raw(`UPDATE files SET status = ?, updated_at = now() WHERE status <> ?
			AND id IN (SELECT id FROM tenant_exports UNION SELECT file_id FROM tenant_exports) RETURNING id`, files.StatusDeleting, files.StatusDeleting).Scan(&exports).Error; err != nil {
			return err
		}
		out.doomed = append(out.doomed, exports...)
		if err := tx.Exec(`UPDATE tenant_exports SET expires_at = now() WHERE status = ? AND expires_at > now()`, exportjob.Done).Error; err != nil {
			return err
		}
		if request != nil {
			if err := tx.Exec(`UPDATE subject_requests SET status = ?, closed_at = now(), updated_at = now(),
				outcome = CASE WHEN outcome = '' THEN 'Erased.' ELSE outcome END WHERE id = ? AND closed_at IS NULL`, StatusDone, *request).Error; err != nil {
				return err
			}
		}
		return s.logErasure(tx, sc, out)
	})
	if err != nil {
		return Erasure{}, err
	}
	// Uploads first, then the files purge: both again from the sweep if
	// the store is away now (the files stay marked for deletion).
	n, err := s.files.AbortUploads(context.WithoutCancel(ctx), sc.Tenant(), out.doomed)
	if err != nil {
		slog.WarnContext(ctx, "subject: erased person's incomplete uploads left to the files sweep", "tenant_id", sc.Tenant(), "err", err)
	}
	out.UploadsAborted = n
	s.files.PurgeSoon(ctx, sc.Tenant())
	return out, nil
}

func (s *Service) logErasure(tx *gorm.DB, sc access.Scope, e Erasure) error {
	detail := map[string]string{"rows_deleted": fmt.Sprint(e.RowsDeleted), "rows_anonymised": fmt.Sprint(e.RowsAnonymised), "files": fmt.Sprint(e.Files)}
	return identity.Record(tx, sc, "retention job", "subject.erased", "erasure ledger "+e.Ref[:16], detail)
}

// erase does the work inside the caller's transaction.
func (s *Service) erase(tx *gorm.DB, person uuid.UUID, types map[string]map[string]string) (out Erasure, err error) {
	p := map[string]any{"p": person}
	// Files held by the person's rows or uploaded by them, found before the
	// rows that hold them go.
	candidates, err := s.fileCandidates(tx, person)
	if err != nil {
		return out, err
	}
	ls := links()
	// The person's own row goes last: its foreign keys would otherwise
	// clear or cascade what the rules below must see first.
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].tb.Name != "people" && ls[j].tb.Name == "people" })
	for _, l := range ls {
		for _, c := range l.names {
			if c.Erasure != privacy.Anonymise && c.Erasure != privacy.Delete {
				continue // kept by rule; listed below
			}
			res := tx.Exec(fmt.Sprintf(`UPDATE %s t SET %s = NULL WHERE t.%s = @p`, l.tb.Name, c.Name, c.Name), p)
			if res.Error != nil {
				return out, fmt.Errorf("clear %s.%s: %w", l.tb.Name, c.Name, res.Error)
			}
			out.RowsAnonymised += res.RowsAffected
		}
		if l.about == "" {
			continue
		}
		if l.subject != nil && l.subject.Erasure == privacy.Anonymise {
			set := anonymiseSet(l.tb, types[l.tb.Name])
			res := tx.Exec(fmt.Sprintf(`UPDATE %s t SET %s WHERE %s`, l.tb.Name, set, l.about), p)
			if res.Error != nil {
				return out, fmt.Errorf("anonymise %s: %w", l.tb.Name, res.Error)
			}
			out.RowsAnonymised += res.RowsAffected
			continue
		}
		if !deletable(l.tb) {
			continue // kept by rule (the audit log); listed below
		}
		res := tx.Exec(fmt.Sprintf(`DELETE FROM %s t WHERE %s`, l.tb.Name, l.about), p)
		if res.Error != nil {
			return out, fmt.Errorf("delete from %s: %w", l.tb.Name, res.Error)
		}
		out.RowsDeleted += res.RowsAffected
	}
	if out.doomed, err = dropFiles(tx, candidates); err != nil {
		return out, err
	}
	out.Files = len(out.doomed)
	out.Kept = []Kept{}
	for _, l := range ls {
		if l.tb.Name == "audit_events" {
			continue // counted below, with the entries that name them in words
		}
		var n int64
		if err := tx.Raw(fmt.Sprintf(`SELECT count(*) FROM %s t WHERE %s`, l.tb.Name, l.anywhere()), p).Scan(&n).Error; err != nil {
			return out, err
		}
		if n > 0 {
			k := Kept{Table: l.tb.Name, Rows: n}
			for _, c := range append(l.names, l.tb.Columns...) {
				if c.Refers == privacy.RefPerson {
					k.Basis, k.Retention = string(c.Basis), c.Retention
					break
				}
			}
			out.Kept = append(out.Kept, k)
		}
	}
	// The audit trail names people: who acted, and whom an action was
	// about ("person <id>": a rectification's before and after, a
	// restriction; an assignee in the details). It is append-only and kept
	// for the life of the contract, so those entries stay; they are listed
	// like any other kept data.
	var mentions int64
	if err := tx.Raw(`SELECT count(*) FROM audit_events WHERE actor_id = @p OR strpos(target, CAST(@p AS text)) > 0
		OR strpos(CAST(detail AS text), CAST(@p AS text)) > 0`, p).Scan(&mentions).Error; err != nil {
		return out, err
	}
	if mentions > 0 {
		tb, _ := privacy.Lookup("audit_events")
		c, _ := tb.Column("target")
		out.Kept = append(out.Kept, Kept{Table: "audit_events", Rows: mentions, Basis: string(c.Basis), Retention: c.Retention})
	}
	return out, nil
}

// deletable reports whether a person's rows of tb go on erasure: when a
// column says delete, or when the table only links rows (keys alone).
// A table whose columns are all kept by rule (the audit log) keeps them.
func deletable(tb privacy.Table) bool {
	keysOnly := true
	for _, c := range tb.Columns {
		if c.Erasure == privacy.Delete {
			return true
		}
		if c.Category != privacy.Key {
			keysOnly = false
		}
	}
	return keysOnly
}

// anonymiseSet is the SET list that keeps a row but removes the person:
// the subject and other anonymised columns are cleared (text becomes
// Erased), columns to delete go back to their defaults.
func anonymiseSet(tb privacy.Table, types map[string]string) string {
	var set []string
	for _, c := range tb.Columns {
		switch {
		case c.Name == tb.Subject || c.Refers == privacy.RefPerson && c.Erasure != privacy.Retain:
			set = append(set, c.Name+" = NULL")
		case c.Erasure == privacy.Anonymise && (types[c.Name] == "text" || types[c.Name] == "character varying"):
			// NULL stays NULL: an absent value holds nothing to erase.
			set = append(set, fmt.Sprintf("%s = CASE WHEN %s IS NULL THEN NULL ELSE '%s' END", c.Name, c.Name, Erased))
		case c.Erasure == privacy.Anonymise:
			set = append(set, c.Name+" = NULL")
		case c.Erasure == privacy.Delete:
			set = append(set, c.Name+" = DEFAULT")
		}
	}
	return strings.Join(set, ", ")
}

// fileCandidates lists the files that may go with the person: theirs,
// those their rows hold, and their exports' zips (an unfinished one has a
// file row, named by the export's id, but no file_id yet).
func (s *Service) fileCandidates(tx *gorm.DB, person uuid.UUID) ([]uuid.UUID, error) {
	q := `SELECT f.id FROM files f WHERE f.uploaded_by = @p
		UNION SELECT f.id FROM files f JOIN subject_exports e ON e.id = f.id WHERE e.person_id = @p`
	for _, l := range links() {
		if l.about == "" {
			continue
		}
		for _, c := range l.files {
			q += fmt.Sprintf(" UNION SELECT t.%s FROM %s t WHERE t.%s IS NOT NULL AND (%s)", c.Name, l.tb.Name, c.Name, l.about)
		}
	}
	rows, err := tx.Raw(q, map[string]any{"p": person}).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dropFiles marks for the purge every candidate no remaining row holds (a
// teacher's course material stays, without its uploader; a learner's
// work goes), and returns them.
func dropFiles(tx *gorm.DB, candidates []uuid.UUID) ([]uuid.UUID, error) {
	if len(candidates) == 0 {
		return nil, nil
	}
	var held []string
	for _, r := range fileRefs() {
		held = append(held, fmt.Sprintf("SELECT 1 FROM %s t WHERE t.%s = f.id", r[0], r[1]))
	}
	q := `UPDATE files f SET status = ?, uploaded_by = NULL, name = ?, updated_at = now()
		WHERE f.id IN ? AND NOT EXISTS (` + strings.Join(held, " UNION ALL ") + `) RETURNING f.id`
	var ids []uuid.UUID
	err := tx.Raw(q, files.StatusDeleting, Erased, candidates).Scan(&ids).Error
	return ids, err
}

// EraseAgain erases person in a tenant restored from a backup made before
// their erasure, inside tx (in the restored tenant's scope): by the same
// rules as Erase, and recorded in the restored tenant's own ledger, so a
// backup of the restored tenant cannot bring them back either. types is
// the schema's column types (database.DB.ColumnTypes).
func (s *Service) EraseAgain(tx *gorm.DB, tenant, person uuid.UUID, types map[string]map[string]string) error {
	out, err := s.erase(tx, person, types)
	if err != nil {
		return fmt.Errorf("subject: erase again after a restore: %w", err)
	}
	return tx.Exec(`INSERT INTO erasure_ledger (tenant_id, subject_hash, rows_deleted, rows_kept, objects) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, tenant, s.Ref(tenant, person), out.RowsDeleted, out.RowsAnonymised, out.Files).Error
}

// PurgeFiles removes at once the stored files erasures released in tenant
// (every version), instead of leaving them to the hourly sweep.
func (s *Service) PurgeFiles(ctx context.Context, tenant uuid.UUID) { s.files.PurgeSoon(ctx, tenant) }
