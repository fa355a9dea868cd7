package subject

import (
	"strings"

	"github.com/schoolcloud/lms/internal/privacy"
)

// link is how one registry table reaches a person: the rows about them
// (subject), and the columns elsewhere that name them. Built from the
// registry alone, so a table declared tomorrow is exported and erased
// without a change here.
type link struct {
	tb privacy.Table
	// about selects the person's own rows of alias t (the person is @p);
	// empty when the table's rows are never about a member.
	about string
	// subject is the declared subject column when it names the person
	// directly (not via a parent).
	subject *privacy.Column
	// names are the columns that name a person, other than a direct subject.
	names []privacy.Column
	// files are the columns that name a stored file.
	files []privacy.Column
}

// links returns every table of a tenant's data that can hold something of
// a person: tenant tables, and the processor's records kept per tenant
// (with tenant_id) that name the school's members.
func links() []link {
	var out []link
	for _, tb := range privacy.Tables() {
		if _, ok := tb.Column("tenant_id"); !ok {
			continue
		}
		l := link{tb: tb}
		if cond, ok := tb.SubjectIs("@p"); ok {
			l.about = cond
			if tb.Via == "" {
				sc, _ := tb.Column(tb.Subject)
				l.subject = &sc
			}
		}
		for _, c := range tb.Columns {
			switch {
			case c.Refers == privacy.RefPerson && (l.subject == nil || c.Name != l.subject.Name):
				l.names = append(l.names, c)
			case c.Refers == privacy.RefFile:
				l.files = append(l.files, c)
			}
		}
		if l.about != "" || len(l.names) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// shown selects the rows about the person an export includes now: those
// about them, less any the registry says to withhold for now.
func (l link) shown() string {
	if l.about == "" || l.tb.Withheld == "" {
		return l.about
	}
	return "(" + l.about + ") AND NOT (" + l.tb.Withheld + ")"
}

// naming selects rows of alias t that name the person in another column
// but are not about them.
func (l link) naming() string {
	if len(l.names) == 0 {
		return ""
	}
	var or []string
	for _, c := range l.names {
		or = append(or, "t."+c.Name+" = @p")
	}
	w := "(" + strings.Join(or, " OR ") + ")"
	if l.about != "" {
		w += " AND NOT (" + l.about + ")"
	}
	return w
}

// anywhere selects every row of alias t that holds the person at all.
func (l link) anywhere() string {
	var or []string
	if l.about != "" {
		or = append(or, "("+l.about+")")
	}
	for _, c := range l.names {
		or = append(or, "t."+c.Name+" = @p")
	}
	return strings.Join(or, " OR ")
}

// fileRefs lists every (table, column) that names a stored file.
func fileRefs() [][2]string {
	var out [][2]string
	for _, tb := range privacy.Tables() {
		for _, c := range tb.Columns {
			if c.Refers == privacy.RefFile {
				out = append(out, [2]string{tb.Name, c.Name})
			}
		}
	}
	return out
}
