package roster

import (
	"context"
	"log/slog"
	"time"
)

// The steps of an import, as its page names them.
const (
	stepQueued    = "Waiting to start"
	stepReading   = "Reading and checking the files"
	stepMatching  = "Finding the schools, people and classes already here"
	stepPeople    = "Adding and updating people"
	stepRoles     = "Giving roles"
	stepClasses   = "Making classes"
	stepEnrolling = "Putting people on their classes"
	stepExtras    = "Recording birth dates, parents and carers, and terms"
	stepEnding    = "Ending what a full file leaves out"
	stepSaving    = "Saving"
)

// progress records how far a job's import has got, in its row, for the
// import's page: the step, and data rows done of all the upload's rows.
// Writes go through their own short transactions (the import's own is
// open until the end), at most every progressEvery within a step. A nil
// progress records nothing (a synchronous import).
type progress struct {
	ctx   context.Context
	write func(ctx context.Context, step string, done, total int) error
	name  string
	done  int
	all   int
	last  time.Time
	// onStep, set by tests, hears each step as it is recorded.
	onStep func(step string)
}

const progressEvery = 500 * time.Millisecond

// step records that a new step begins.
func (pr *progress) step(name string) {
	if pr == nil {
		return
	}
	pr.name = name
	pr.flush()
	if pr.onStep != nil {
		pr.onStep(name)
	}
}

// total sets the rows to do: every data row the upload holds.
func (pr *progress) total(p *plan) {
	if pr == nil {
		return
	}
	pr.all = 0
	for _, n := range p.rowsIn {
		pr.all += n
	}
	pr.flush()
}

// add counts rows done, recording them now and then.
func (pr *progress) add(n int) {
	if pr == nil {
		return
	}
	pr.done += n
	if time.Since(pr.last) >= progressEvery {
		pr.flush()
	}
}

func (pr *progress) flush() {
	pr.last = time.Now()
	done := min(pr.done, pr.all)
	if err := pr.write(pr.ctx, pr.name, done, pr.all); err != nil && pr.ctx.Err() == nil {
		// Progress is for the page; the import goes on without it.
		slog.WarnContext(pr.ctx, "roster: progress not recorded", "err", err)
	}
}

// stepped wraps an applier step: it names the step and, once it is done,
// counts the rows of the files it worked through.
func (a *applier) stepped(name string, step func() error, files ...string) func() error {
	return func() error {
		a.prog.step(name)
		if err := step(); err != nil {
			return err
		}
		n := 0
		for _, f := range files {
			n += a.p.rowsIn[f]
		}
		a.prog.add(n)
		return nil
	}
}
