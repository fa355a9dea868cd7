package roster

import (
	"context"

	"github.com/google/uuid"
)

// WorkWatched is Work with a hook that hears each step as the job records
// it, so a test can stop a run mid-way (as a killed worker stops).
func (s *Service) WorkWatched(ctx context.Context, tenant, id uuid.UUID, onStep func(step string)) error {
	return s.work(ctx, tenant, id, onStep)
}

// StepEnrolling is the step that puts people on their classes.
const StepEnrolling = stepEnrolling
