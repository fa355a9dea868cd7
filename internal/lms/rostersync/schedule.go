package rostersync

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// ScheduleChoices are the schedules a school may pick, in hours (0: as
// soon as a delivery arrives).
var ScheduleChoices = []int{0, 1, 2, 4, 6, 12, Daily}

// Daily is the once-a-day choice, the one that may name a time of day.
const Daily = 24

// schedule is the tenant's schedule; a tenant that never chose one
// applies deliveries as soon as they arrive.
func schedule(tx *gorm.DB, tenant uuid.UUID) (Schedule, error) {
	sch := Schedule{TenantID: tenant}
	if err := tx.Limit(1).Find(&sch).Error; err != nil {
		return sch, fmt.Errorf("rostersync: schedule: %w", err)
	}
	return sch, nil
}

// Schedule is the tenant's schedule.
func (s *Service) Schedule(ctx context.Context, sc access.Scope) (sch Schedule, err error) {
	err = access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sch, err = schedule(tx, sc.Tenant())
		return err
	})
	return sch, err
}

// SetSchedule sets how often deliveries are applied (one of
// ScheduleChoices) and, for once a day, optionally at what time of day
// ("06:00", the tenant's local time; "" for none). Field errors:
// every_hours, at. Recorded in the audit trail.
func (s *Service) SetSchedule(ctx context.Context, sc access.Scope, everyHours int, at string) error {
	ok := false
	for _, h := range ScheduleChoices {
		ok = ok || h == everyHours
	}
	var fe errs.FieldErrors
	if !ok {
		fe.Add("every_hours", "must be one of %v", ScheduleChoices)
	}
	atMinute, err := ParseTimeOfDay(at)
	switch {
	case err != nil:
		fe.Add("at", "must be a time of day on the 24-hour clock, such as 06:00")
	case atMinute != nil && ok && everyHours != Daily:
		fe.Add("at", "goes with once a day: choose once a day, or leave the time empty")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if err := tenantWide(sc); err != nil {
		return err
	}
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		sch := Schedule{TenantID: sc.Tenant(), EveryHours: everyHours, AtMinute: atMinute, UpdatedAt: s.now().UTC()}
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"every_hours", "at_minute", "updated_at"})}).Create(&sch).Error; err != nil {
			return err
		}
		return identity.Record(tx, sc, "", "roster-sync.schedule_set", "tenant "+sc.Tenant().String(),
			map[string]string{"every_hours": fmt.Sprint(everyHours), "at": TimeOfDay(atMinute)})
	})
}
