package backup

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A restore puts a backup into a fresh tenant (a new id and slug; the
// original, if it still exists, is untouched), then erases again everyone
// the erasure ledger says was erased after, or before, the backup was
// made: the ledger's copy (backup_erasures) lives as long as the backups,
// so this holds even for a tenant deleted at contract end. Restoring a
// deleted tenant's backup needs a recorded instruction (the school's, or
// a court's). The rows go in as one transaction: a failed restore leaves
// no tenant behind.

// Eraser erases a person again in a restored tenant; the school's
// controller toolkit (controller/subject) is the one.
type Eraser interface {
	Ref(tenant, person uuid.UUID) string
	EraseAgain(tx *gorm.DB, tenant, person uuid.UUID, types map[string]map[string]string) error
	// PurgeFiles removes at once the stored files the erasures released.
	PurgeFiles(ctx context.Context, tenant uuid.UUID)
}

// RestoreStatus is where a restore is; the value is what restores.status
// holds.
type RestoreStatus string

// Restore statuses.
const (
	RestoreQueued  RestoreStatus = "queued"  // asked for; the job has not started
	RestoreRunning RestoreStatus = "running" // the job is restoring it
	RestoreDone    RestoreStatus = "done"    // the new tenant is made
	RestoreFailed  RestoreStatus = "failed"  // stopped with an error (its slug is free again)
)

// Restore is one restore with its outcome.
type Restore struct {
	ID            uuid.UUID     `json:"id"`
	BackupID      uuid.UUID     `json:"backup_id"`
	SourceTenant  uuid.UUID     `json:"source_tenant"`
	TargetTenant  uuid.UUID     `json:"target_tenant"`
	TargetSlug    string        `json:"target_slug"`
	RequestedBy   uuid.UUID     `json:"requested_by"`
	Instruction   string        `json:"instruction"`
	Status        RestoreStatus `json:"status"`
	RowsRestored  int64         `json:"rows_restored"`
	FilesRestored int           `json:"files_restored"`
	PeopleErased  int           `json:"people_erased"`
	Error         string        `json:"error,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	FinishedAt    *time.Time    `json:"finished_at"`
}

// TableName is the gorm table.
func (Restore) TableName() string { return "restores" }

// RestoreRequest is what an operator asks for.
type RestoreRequest struct {
	Slug        string `json:"slug"`        // the new tenant's slug
	Name        string `json:"name"`        // its name; default: the original's, marked restored
	Instruction string `json:"instruction"` // on whose instruction; required for a deleted tenant
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// notRestored are the tenant tables a restore leaves out, each with why.
var notRestored = map[string]string{
	"audit_events":       "the restored tenant starts its own audit chain, whose first record names the backup and the original chain's head; the original log stays in the backup",
	"audit_heads":        "as audit_events",
	"member_credentials": "sessions and tokens: everyone signs in again",
	"subject_exports":    "earlier exports of one person: copies, long expired",
	"tenant_exports":     "earlier full exports: copies",
	"erasure_ledger":     "rebuilt: the people erased again are entered under the new tenant",
}

// StartRestore records a restore of backup id into a fresh tenant and
// queues it; only operators restore.
// tenant, when not uuid.Nil, is the tenant the backup must belong to.
func (s *Service) StartRestore(ctx context.Context, staff, id, tenant uuid.UUID, in RestoreRequest) (Restore, error) {
	in.Slug, in.Name, in.Instruction = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name), strings.TrimSpace(in.Instruction)
	var fe errs.FieldErrors
	if !slugRE.MatchString(in.Slug) {
		fe.Add("slug", "must be 2-63 lower-case letters, digits or hyphens, starting with a letter or digit")
	}
	if len(in.Name) > 200 || errs.HasControl(in.Name) {
		fe.Add("name", "must be at most 200 characters, without control characters")
	}
	if len(in.Instruction) > 2000 || errs.HasControlText(in.Instruction) {
		fe.Add("instruction", "must be at most 2000 characters, without control characters")
	}
	if err := fe.Err(); err != nil {
		return Restore{}, err
	}
	r := Restore{ID: uuid.Must(uuid.NewV7()), BackupID: id, TargetTenant: uuid.Must(uuid.NewV7()), TargetSlug: in.Slug, RequestedBy: staff,
		Instruction: in.Instruction, Status: RestoreQueued, CreatedAt: s.now().UTC()}
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		st, err := identity.StaffTx(tx, staff)
		if err != nil {
			return err
		}
		if st.Role != identity.StaffOperator {
			return errs.New(errs.ErrForbidden, "only operators restore a backup")
		}
		var b Backup
		res := tx.Where("id = ?", id).Limit(1).Find(&b)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || (tenant != uuid.Nil && b.TenantID != tenant) {
			return errs.New(errs.ErrNotFound, "backup %s", id)
		}
		if b.Status != StatusDone {
			return errs.New(errs.ErrConflict, "backup %s is %s: only a finished backup can be restored", id, b.Status)
		}
		r.SourceTenant = b.TenantID
		var destroyed int64
		if err := tx.Raw(`SELECT count(*) FROM backup_keys WHERE tenant_id = ? AND destroyed_at IS NOT NULL`, b.TenantID).Scan(&destroyed).Error; err != nil {
			return err
		}
		if destroyed > 0 {
			return errs.New(errs.ErrConflict, "the school had its backup key destroyed: none of its backups can be read or restored")
		}
		var status string
		if err := tx.Raw(`SELECT status FROM contracts WHERE tenant_id = ?`, b.TenantID).Scan(&status).Error; err != nil {
			return err
		}
		if status == "deleted" && in.Instruction == "" {
			return errs.Field("instruction", "the school's data was deleted at contract end: record whose instruction this restore is (the school's or a court's, with its reference)")
		}
		var taken int64
		if err := tx.Raw(`SELECT (SELECT count(*) FROM tenants WHERE slug = ?) + (SELECT count(*) FROM restores WHERE target_slug = ? AND status <> ?)`,
			in.Slug, in.Slug, RestoreFailed).Scan(&taken).Error; err != nil {
			return err
		}
		if taken > 0 {
			return errs.Field("slug", "is taken by another tenant")
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		return r, err
	}
	if err := s.Jobs.Enqueue(ctx, RestoreArgs{RestoreID: r.ID, Name: in.Name}); err != nil {
		slog.WarnContext(ctx, "backup: restore not queued; run it again", "restore_id", r.ID, "err", err)
	}
	return r, nil
}

// Restores lists the restores of a tenant's backups, newest first.
func (s *Service) Restores(ctx context.Context, tenant uuid.UUID) ([]Restore, error) {
	out := []Restore{}
	return out, s.db.Gorm.WithContext(ctx).Where("source_tenant = ?", tenant).Order("created_at DESC").Limit(50).Find(&out).Error
}

// GetRestore is one restore.
func (s *Service) GetRestore(ctx context.Context, id uuid.UUID) (Restore, error) {
	var r Restore
	return r, database.Found(s.db.Gorm.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&r), "restore %s", id)
}

// RunRestore does restore id: reads and checks the backup, stores its
// files under the new tenant's prefix, then in one transaction creates
// the tenant, inserts every row and erases again who the ledger names.
func (s *Service) RunRestore(ctx context.Context, id uuid.UUID, name string) error {
	r, err := s.GetRestore(ctx, id)
	if err != nil || r.Status == RestoreDone {
		return err
	}
	if err := s.db.Gorm.WithContext(ctx).Model(&Restore{}).Where("id = ?", id).Updates(map[string]any{"status": RestoreRunning, "error": ""}).Error; err != nil {
		return err
	}
	err = s.restore(ctx, &r, name)
	set := map[string]any{"status": RestoreDone, "finished_at": s.now().UTC(), "rows_restored": r.RowsRestored, "files_restored": r.FilesRestored, "people_erased": r.PeopleErased}
	if err != nil {
		set = map[string]any{"status": RestoreFailed, "error": err.Error(), "finished_at": s.now().UTC()}
	} else {
		// Files of people erased again were stored with the rest; they go now.
		s.Eraser.PurgeFiles(ctx, r.TargetTenant)
	}
	if uerr := s.db.Gorm.WithContext(context.WithoutCancel(ctx)).Model(&Restore{}).Where("id = ?", id).Updates(set).Error; uerr != nil && err == nil {
		err = uerr
	}
	return err
}

func (s *Service) restore(ctx context.Context, r *Restore, name string) error {
	if s.Eraser == nil {
		return fmt.Errorf("backup: no eraser: a restore cannot re-apply erasures")
	}
	var b Backup
	if err := s.db.Gorm.WithContext(ctx).Where("id = ?", r.BackupID).First(&b).Error; err != nil {
		return err
	}
	zr, cleanup, err := s.open(ctx, b)
	if err != nil {
		return err
	}
	defer cleanup()
	var src Source
	if err := readJSON(zr, sourceEntry, &src); err != nil {
		return err
	}
	if name == "" {
		name = src.Name + " (restored " + s.now().UTC().Format(time.DateOnly) + ")"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	// The files first: a failed restore leaves objects under an unused
	// prefix, which a retry overwrites; the rows never point at nothing.
	newPre := "t/" + r.TargetTenant.String() + "/"
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, objectsDir) {
			continue
		}
		if err := s.putObject(ctx, src.Region, newPre+strings.TrimPrefix(f.Name, objectsDir), f); err != nil {
			return err
		}
		r.FilesRestored++
	}
	types, err := s.db.ColumnTypes(ctx)
	if err != nil {
		return err
	}
	// A generated column (people.username_key) is PostgreSQL's to
	// compute from the restored ones: the backup's copy of it is not
	// written back.
	generated, err := s.db.GeneratedColumns(ctx)
	if err != nil {
		return err
	}
	for t, cols := range generated {
		for _, c := range cols {
			delete(types[t], c)
		}
	}
	erased := map[string]bool{}
	var hashes []string
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT subject_hash FROM backup_erasures WHERE tenant_id = ?`, b.TenantID).Scan(&hashes).Error; err != nil {
		return err
	}
	for _, h := range hashes {
		erased[h] = true
	}
	return s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO tenants (id, slug, name, kind, region) VALUES (?, ?, ?, ?, ?)`,
			r.TargetTenant, r.TargetSlug, name, src.Kind, src.Region).Error; err != nil {
			return fmt.Errorf("backup: create the restored tenant: %w", err)
		}
		if err := tx.Exec(`INSERT INTO contracts (tenant_id, reference, starts_on, return_window_days) VALUES (?, ?, current_date, ?)`,
			r.TargetTenant, truncate(src.Reference+" (restored)", 100), max(src.ReturnWindowDays, 1)).Error; err != nil {
			return err
		}
		sc := access.Contract(r.TargetTenant, r.RequestedBy, "restore")
		if err := access.Enter(tx, sc); err != nil {
			return err
		}
		var head struct {
			Seq  int64
			Hash []byte
		}
		if err := readAuditHead(zr, &head); err != nil {
			return err
		}
		if _, err := audit.Append(tx, r.TargetTenant, audit.Event{ActorKind: "staff", ActorID: &r.RequestedBy, ActorName: string(identity.StaffOperator),
			Basis: string(access.BasisContract), Action: "tenant.restored", Target: "backup " + b.ID.String(),
			Detail: map[string]string{"backup": b.ID.String(), "backup_made": b.CreatedAt.UTC().Format(time.RFC3339), "instruction": r.Instruction,
				"original_chain_seq": fmt.Sprint(head.Seq), "original_chain_hash": hex.EncodeToString(head.Hash)}}); err != nil {
			return err
		}
		tables, err := database.TenantTables(tx)
		if err != nil {
			return err
		}
		for i := len(tables) - 1; i >= 0; i-- { // parents first
			t := tables[i]
			if _, skip := notRestored[t]; skip {
				continue
			}
			n, err := insertTable(tx, zr, t, r.TargetTenant, types[t])
			if err != nil {
				return fmt.Errorf("backup: restore %s: %w", t, err)
			}
			r.RowsRestored += n
		}
		var people []uuid.UUID
		if err := tx.Raw(`SELECT id FROM people`).Scan(&people).Error; err != nil {
			return err
		}
		for _, p := range people {
			if !erased[s.Eraser.Ref(b.TenantID, p)] {
				continue
			}
			if err := s.Eraser.EraseAgain(tx, r.TargetTenant, p, types); err != nil {
				return err
			}
			r.PeopleErased++
		}
		_, err = audit.Append(tx, r.TargetTenant, audit.Event{ActorKind: "system", ActorName: "restore", Basis: string(access.BasisContract),
			Action: "tenant.restore-erasures", Target: "erasure ledger",
			Detail: map[string]string{"rows": fmt.Sprint(r.RowsRestored), "files": fmt.Sprint(r.FilesRestored), "people_erased_again": fmt.Sprint(r.PeopleErased)}})
		return err
	})
}

// insertTable inserts the backup's rows of table t under the new tenant,
// a thousand at a time. Columns are those the backup has that the table
// still has (a column added since takes its default); the tenant id and a
// file's object key are rewritten to the new tenant.
func insertTable(tx *gorm.DB, zr *zip.Reader, t string, tenant uuid.UUID, types map[string]string) (int64, error) {
	f, err := zr.Open(t + ".jsonl")
	if err != nil {
		return 0, nil // not in this backup (a table added since)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	var cols []string
	var batch []json.RawMessage
	var n int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		arr, err := json.Marshal(batch)
		if err != nil {
			return err
		}
		over := `jsonb_build_object('tenant_id', CAST(@t AS text))`
		where := ``
		if t == "files" {
			over = `jsonb_build_object('tenant_id', CAST(@t AS text), 'object_key', 't/' || CAST(@t AS text) || '/files/' || (e->>'id'))`
			where = ` WHERE coalesce(e->>'attached_to', '') NOT IN ('export', 'tenant-export')`
		}
		// Names come from the schema, never from the backup's bytes alone:
		// cols is filtered against the table's columns.
		q := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM jsonb_array_elements(CAST(@rows AS jsonb)) e,
			LATERAL jsonb_populate_record(NULL::%s, e || %s) r%s`, t, strings.Join(cols, ", "), "r."+strings.Join(cols, ", r."), t, over, where)
		res := tx.Exec(q, map[string]any{"t": tenant.String(), "rows": string(arr)})
		if res.Error != nil {
			return res.Error
		}
		n += res.RowsAffected
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		line := append([]byte{}, sc.Bytes()...)
		if cols == nil {
			var first map[string]json.RawMessage
			if err := json.Unmarshal(line, &first); err != nil {
				return n, err
			}
			for c := range first {
				if _, ok := types[c]; ok {
					cols = append(cols, `"`+c+`"`)
				}
			}
		}
		batch = append(batch, line)
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// open downloads backup b, checks it against the catalogue's checksum,
// decrypts it with the tenant's key into a temporary file and opens the zip.
func (s *Service) open(ctx context.Context, b Backup) (*zip.Reader, func(), error) {
	id, err := s.identity(ctx, b.TenantID)
	if err != nil {
		return nil, nil, err
	}
	in := &s3.GetObjectInput{Bucket: &b.Bucket, Key: &b.ObjectKey}
	if b.VersionID != "" {
		in.VersionId = &b.VersionID
	}
	out, err := s.store.S3.GetObject(ctx, in)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: read %s: %w", b.ID, err)
	}
	defer out.Body.Close()
	tmp, err := os.CreateTemp("", "lms-restore-*.zip")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	h := sha256.New()
	plain, err := age.Decrypt(io.TeeReader(out.Body, h), id)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("backup: decrypt %s: %w", b.ID, err)
	}
	size, err := io.Copy(tmp, plain)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("backup: decrypt %s: %w", b.ID, err)
	}
	_, _ = io.Copy(io.Discard, out.Body) // the checksum covers every byte
	if got := hex.EncodeToString(h.Sum(nil)); got != b.SHA256 {
		cleanup()
		return nil, nil, errs.New(errs.ErrConflict, "backup %s does not match its checksum in the catalogue", b.ID)
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return zr, cleanup, nil
}

func (s *Service) putObject(ctx context.Context, region, key string, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	bucket := s.store.Bucket(region)
	if _, err := s.store.Uploader(0, 0).Upload(ctx, &transfermanager.UploadObjectInput{Bucket: &bucket, Key: &key, Body: rc}); err != nil {
		return fmt.Errorf("backup: restore object %s: %w", key, err)
	}
	return nil
}

func readJSON(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return errs.New(errs.ErrConflict, "backup: %s missing: made by an older version, it cannot be restored", name)
	}
	defer f.Close()
	return json.NewDecoder(f).Decode(v)
}

// readAuditHead reads the original chain's head from the backup.
func readAuditHead(zr *zip.Reader, head *struct {
	Seq  int64
	Hash []byte
}) error {
	f, err := zr.Open("audit_heads.jsonl")
	if err != nil {
		return nil
	}
	defer f.Close()
	var row struct {
		Seq  int64  `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.NewDecoder(f).Decode(&row); err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	head.Seq = row.Seq
	head.Hash, _ = hex.DecodeString(strings.TrimPrefix(row.Hash, `\x`))
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// RestoreArgs is the job that runs one restore.
type RestoreArgs struct {
	RestoreID uuid.UUID `json:"restore_id"`
	Name      string    `json:"name"`
}

// Kind names the job.
func (RestoreArgs) Kind() string { return "backup_restore" }

// RestoreWorker works RestoreArgs.
type RestoreWorker struct {
	river.WorkerDefaults[RestoreArgs]
	Service *Service
}

// Work runs the restore. A failed one is not retried by itself: an
// operator looks at why and starts another.
func (w *RestoreWorker) Work(ctx context.Context, j *river.Job[RestoreArgs]) error {
	err := w.Service.RunRestore(ctx, j.Args.RestoreID, j.Args.Name)
	if err != nil {
		return river.JobCancel(err)
	}
	return nil
}
