package rostersync

import (
	"time"

	"github.com/schoolcloud/lms/internal/platform/localtime"
)

// SetClock makes the service read the time from now (tests of the
// schedule at fixed instants).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Due is due in London for a schedule that never ran.
func Due(sch Schedule, now time.Time) bool {
	return due(sch, localtime.London, now, nil)
}
