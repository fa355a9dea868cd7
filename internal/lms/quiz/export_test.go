package quiz

import "time"

// SetClock moves the service's clock (tests).
func SetClock(s *Service, now func() time.Time) { s.now = now }
