package roster

// extras is what an upload carries beyond people, roles, classes and
// enrolments: legal names and pupil numbers (names.go), birth dates
// (demographics.go), guardians and their links (guardians.go) and terms
// (terms.go). Each is read by a parse step of its file and written by
// applyExtras after the core steps, inside the same transaction.
type extras struct {
	names  map[string]nameRow // users.csv, by user sourcedId
	rows   map[string]userRow // every good users.csv row, by sourcedId (guardians are dropped from plan.users)
	births []birthRow         // demographics.csv
	terms  []termRow          // academicSessions.csv
	// classTerms are classes.csv termSourcedIds, by class sourcedId.
	classTerms map[string]classTerms
	// agents are users.csv agentSourcedIds by user sourcedId, when the
	// file has the column (absent: links are left alone).
	agents map[string]agentsRow
	// guardians are the users with role guardian, parent or relative.
	guardians map[string]bool
	// linkG and linkC are the guardianships to write (guardian, child ids).
	linkG, linkC []string
	// synced are the users whose users.csv row has been written.
	synced map[string]bool
}

// x is the plan's extras, made on first use.
func (p *plan) x() *extras {
	if p.extra == nil {
		p.extra = &extras{names: map[string]nameRow{}, rows: map[string]userRow{}, classTerms: map[string]classTerms{},
			agents: map[string]agentsRow{}, guardians: map[string]bool{}}
	}
	return p.extra
}

// applyExtras writes the extras once people, roles, classes and
// enrolments are written: guardians first (they become people), then
// names and birth dates of everyone the upload names, then terms.
func (a *applier) applyExtras() error {
	for _, step := range []func() error{a.applyGuardians, a.applyNames, a.applyBirths, a.applyTerms} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// listedGuardians adds to present the guardians users.csv lists: plan.users
// leaves them out (skipUnrostered), but a bulk file that lists them has
// not ended them.
func (p *plan) listedGuardians(present map[string]bool) {
	if p.extra == nil {
		return
	}
	for id := range p.extra.guardians {
		if _, ok := p.extra.rows[id]; ok {
			present[id] = true
		}
	}
}
