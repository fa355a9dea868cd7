package lifecycle

// OnStep makes s call f after each step, so a test can stop a run where
// it likes (as a worker killed there would).
func OnStep(s *Service, f func(step string)) { s.step = f }

// PageSize sets how many object versions one listing takes.
func PageSize(s *Service, n int32) { s.page = n }
