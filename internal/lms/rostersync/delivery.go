package rostersync

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Deliver stores an integration's files (as roster.ReadParts read them)
// for the schedule to apply, and records the use in the audit trail. The
// files are not checked here: the run reports their problems on the
// import history, as an upload by hand would.
func (s *Service) Deliver(ctx context.Context, c Caller, files map[string][]byte) (Delivery, error) {
	if len(files) == 0 {
		return Delivery{}, errs.Field("file", "send the OneRoster CSV files (users.csv, roles.csv, classes.csv, enrollments.csv, …) or one zip in a part named \"file\"")
	}
	packed, names, err := pack(files)
	if err != nil {
		return Delivery{}, err
	}
	d := Delivery{TenantID: c.TenantID, ID: uuid.Must(uuid.NewV7()), IntegrationID: c.ID, Status: Delivered,
		Files: packed, FileNames: names, Bytes: int64(len(packed)), DeliveredAt: s.now().UTC(), Integration: c.Name}
	sc := c.Scope()
	var every int
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := tx.Omit("integration").Create(&d).Error; err != nil {
			return err
		}
		// Only the latest delivery is ever applied: the ones still waiting
		// are superseded now and their files dropped, so a tool that
		// delivers often (or a leaked credential) keeps one copy waiting.
		if err := tx.Exec(`UPDATE roster_deliveries SET status = 'superseded', superseded_by = ?, files = NULL, finished_at = ?
			WHERE status IN ('delivered', 'failed') AND id <> ?`, d.ID, d.DeliveredAt, d.ID).Error; err != nil {
			return err
		}
		if err := used(tx, c, d.DeliveredAt); err != nil {
			return err
		}
		sch, err := schedule(tx, c.TenantID)
		if err != nil {
			return err
		}
		every = sch.EveryHours
		return identity.Record(tx, sc, c.Job(), "roster-sync.delivered", "roster delivery "+d.ID.String(),
			map[string]string{"integration": c.Name, "files": fmt.Sprint(names), "bytes": strconv.FormatInt(d.Bytes, 10)})
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("rostersync: deliver: %w", err)
	}
	if every == 0 && s.Queue != nil {
		// The sweep picks it up within a minute anyway.
		if err := s.Queue.Enqueue(ctx, RunArgs{TenantID: c.TenantID}); err != nil {
			slog.WarnContext(ctx, "rostersync: start run", "tenant_id", c.TenantID, "err", err)
		}
	}
	d.Files = nil
	return d, nil
}

// pack writes the files as one zip (stored deflated), named in order.
func pack(files map[string][]byte) ([]byte, []string, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, nil, fmt.Errorf("rostersync: pack %s: %w", n, err)
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, nil, fmt.Errorf("rostersync: pack %s: %w", n, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, nil, fmt.Errorf("rostersync: pack: %w", err)
	}
	return buf.Bytes(), names, nil
}

// unpack reads a delivery's files back.
func unpack(b []byte) (map[string][]byte, error) { return roster.Unzip("file", b) }

// Deliveries lists the tenant's latest deliveries and their runs, newest
// first, with the delivering integration's name.
func (s *Service) Deliveries(ctx context.Context, sc access.Scope, limit int) ([]Delivery, error) {
	out := []Delivery{}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Table("roster_deliveries d").
			Select("d.id, d.tenant_id, d.integration_id, d.status, d.file_names, d.bytes, d.delivered_at, d.finished_at, d.import_id, d.superseded_by, d.detail, i.name AS integration").
			Joins("JOIN roster_integrations i ON i.tenant_id = d.tenant_id AND i.id = d.integration_id").
			Order("d.delivered_at DESC, d.id DESC").Limit(limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("rostersync: list deliveries: %w", err)
	}
	return out, nil
}

// DeliveredBy maps imports made by a run to the integration that
// delivered their files (for the import history).
func (s *Service) DeliveredBy(ctx context.Context, sc access.Scope, imports []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(imports) == 0 {
		return out, nil
	}
	var rows []struct {
		ImportID uuid.UUID
		Name     string
	}
	err := access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT d.import_id, i.name FROM roster_deliveries d
			JOIN roster_integrations i ON i.tenant_id = d.tenant_id AND i.id = d.integration_id
			WHERE d.import_id IN ?`, imports).Scan(&rows).Error
	})
	for _, r := range rows {
		out[r.ImportID] = r.Name
	}
	return out, err
}
