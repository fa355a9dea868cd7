package webtest

import (
	"testing"
)

// Good pages say nothing for developers; each bad one has one finding.
func TestDeveloperStrings(t *testing.T) {
	good := []string{
		`<p>Ada Head gave consent for photos.</p>`,
		`<p>Sam Support read the course <em>Year 5 Science</em> under ticket SD-4711.</p>`,
		`<table><tr><td>alex.learner</td><td>jo.teacher</td><td>Open</td><td>Handed in</td></tr></table>`,
		`<p>Write to admin@tenant-a.example or upload users.csv, roles.csv; see https://example.com/a/b.</p>`,
		`<a href="/t/:tenant/courses">Courses</a>`,
		`<p>Keep this address: <code>/api/v1/deletion-certificates/0b7e6f1c-2a59-4a47-9c1e-0c8f6c5f0d21</code></p>`,
		`<script>var r = "GET /t/:tenant"; x.read; console.log("<nil>")</script><p>Fine.</p>`,
		`<td title="consent.given">Gave consent</td>`,
		`<p hidden>consent.given</p><p>Shown.</p>`,
		`<p>Time: 10:30. Ratio 1:2. It is done: all of it.</p>`,
		`<dl><dt>Status</dt><dd>Being made: 3 of 9 tables</dd></dl>`,
		`<p>The learner is open to new ideas; the door was left open.</p>`,
		`<table><tr><td>Open, not started</td></tr></table>`,
		`<p>Mr. Smith read it. The end.</p>`,
		`<table><tr><td>3</td><td>12 Dec 2026</td><td>No</td><td>Dry run</td></tr></table>`,
		`<p>Sign in at school.example.org with first.last.</p>`,
		`<p>This course is <strong class="tag">published</strong>: its learners see it.</p>`,
		`<p>Your file my_habitat_work.pdf is saved; see https://example.com/a_b and admin_x@school.example.</p>`,
	}
	bad := map[string]string{
		`<td>consent.given</td>`:                                                        "dotted action name",
		`<p>Sam did support.read under INC-1.</p>`:                                      "dotted action name",
		`<p>data-use.extract-requested</p>`:                                             "dotted action name",
		`<td><code>GET /t/:tenant/assignments/:assignment</code></td>`:                  "route pattern",
		`<p>Visit /t/:tenant/courses</p>`:                                               "route pattern",
		`<p>POST /signin was refused</p>`:                                               "route pattern",
		`<table><tr><td>open</td></tr></table>`:                                         "raw status",
		`<dl><dd>submitted</dd></dl>`:                                                   "raw status",
		`<p><span class="tag">in-progress</span></p>`:                                   "raw status",
		`<table><tr><td>dry_run</td></tr></table>`:                                      "raw status",
		`<table><tr><td>running: 3 of 9 tables</td></tr></table>`:                       "raw status",
		`<p>guardian_id: a child under 13 needs a guardian's consent</p>`:               "field name",
		`<p>Something: %!s(MISSING)</p>`:                                                "error fragment",
		`<p>Value &lt;nil&gt;</p>`:                                                      "error fragment",
		`<p>sql: no rows in result set</p>`:                                             "error fragment",
		`<p>ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)</p>`: "error fragment",
		`<p>invalid UUID length: 3</p>`:                                                 "error fragment",
		`<table><tr><td>0b7e6f1c-2a59-4a47-9c1e-0c8f6c5f0d21</td></tr></table>`:         "raw id",
		`<p>Courses I teach; filters school_id, status</p>`:                             "snake_case word",
		`<p>map[a:b]</p>`:                                                               "error fragment",
	}
	for _, g := range good {
		if got := DeveloperStrings(g); len(got) != 0 {
			t.Errorf("%s: found %q", g, got)
		}
	}
	for b, kind := range bad {
		got := DeveloperStrings(b)
		if len(got) == 0 {
			t.Errorf("%s: nothing found, want a %s", b, kind)
			continue
		}
		if got[0][:len(kind)] != kind {
			t.Errorf("%s: found %q, want a %s", b, got, kind)
		}
	}
}
