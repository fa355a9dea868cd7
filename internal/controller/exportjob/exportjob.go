// Package exportjob is what the two exports share: a person's own export
// (controller/subject) and a school's full export (controller/handback)
// are the same state machine, claimed by a run under the same rule. It
// holds no more than that, so both can import it.
package exportjob

import (
	"fmt"

	"github.com/schoolcloud/lms/internal/platform/jobs"
)

// Status is where an export is; the value is what subject_exports.status
// and tenant_exports.status hold.
type Status string

// Export statuses.
const (
	// Queued: asked for; no run has claimed it yet.
	Queued Status = "queued"
	// Running: a run holds it and keeps a heartbeat while writing the zip.
	Running Status = "running"
	// Done: the zip is stored and may be downloaded until it expires.
	Done Status = "done"
	// Failed: the run stopped with an error; it is claimed and made again.
	Failed Status = "failed"
)

// Claimable is the condition under which a run may take an export: it
// waits, it failed, or the run that holds it went silent (its worker
// died) for jobs.StaleAfter.
var Claimable = fmt.Sprintf(`(status IN ('%s', '%s') OR status = '%s'
	AND (heartbeat_at IS NULL OR heartbeat_at < now() - interval '%d seconds'))`, Queued, Failed, Running, int(jobs.StaleAfter.Seconds()))
