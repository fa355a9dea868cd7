// Package privacy is the registry of personal data: a declaration, in code,
// of every column of every table — what kind of data it is, why it is held,
// on what lawful basis, for how long, and what a subject-access export and
// an erasure do with it. A test compares it with the live schema, so a new
// column cannot ship undeclared; exports, erasure, retention and the records
// of processing are built from it.
//
// It sits below controller and processor (which both read it) and imports
// nothing of ours.
package privacy

// Owner says whose record a table is.
type Owner string

// Owners.
const (
	// Tenant tables hold the controller's data. They carry tenant_id and
	// row-level security.
	Tenant Owner = "tenant"
	// Processor tables are the processor's own records (its staff, its
	// customers and contracts). They hold no tenant personal data.
	Processor Owner = "processor"
)

// Category is the kind of data in a column.
type Category string

// Categories.
const (
	Key          Category = "key"            // identifiers and references; no meaning on their own
	Identity     Category = "identity"       // who a person is: names, usernames
	Contact      Category = "contact"        // how to reach them
	Credential   Category = "credential"     // password and token hashes
	Security     Category = "security"       // sign-in history, lockout, devices
	Organisation Category = "organisation"   // schools, tenants, contracts: not about a person
	Role         Category = "role"           // what a person may do
	Record       Category = "record-keeping" // timestamps and states of a row
	Content      Category = "content"        // what people author: pages, posts, files, submissions
	Education    Category = "education"      // a learner's record: enrolments, arrangements, marks, feedback
	Activity     Category = "activity"       // what a learner opened, when and for how long
	Special      Category = "special"        // Article 9: health, disability; only with explicit consent
)

// Basis is the UK GDPR Article 6 lawful basis.
type Basis string

// Lawful bases.
const (
	PublicTask         Basis = "public-task"         // a school's statutory education function
	Contract           Basis = "contract"            // the processing contract, or a contract with the person
	LegitimateInterest Basis = "legitimate-interest" // e.g. security of the service
	LegalObligation    Basis = "legal-obligation"
	ExplicitConsent    Basis = "explicit-consent" // Article 9(2)(a), for special category data
	Consent            Basis = "consent"          // Article 6(1)(a): the person's consent, e.g. to photos of them
	NotPersonal        Basis = "not-personal-data"
)

// ExportRule is what a subject-access or portability export does.
type ExportRule string

// Export rules.
const (
	Export ExportRule = "export" // included as stored
	Omit   ExportRule = "omit"   // never exported (secrets, internal keys); the summary says it exists
)

// ErasureRule is what erasing the person does to the column.
type ErasureRule string

// Erasure rules.
const (
	Delete    ErasureRule = "delete"    // the row goes with the person
	Anonymise ErasureRule = "anonymise" // the row stays (the school must keep it) with the value replaced
	Retain    ErasureRule = "retain"    // not personal data, or needed to keep a row that stays
)

// Refers says what a key column points at, when it is a tenant's person
// or file: exports and erasure follow these (a test checks every foreign
// key to people and files is declared).
type Refers string

// What key columns refer to.
const (
	RefPerson Refers = "person" // a member of the tenant (people.id)
	RefFile   Refers = "file"   // a stored object (files.id)
)

// Column declares one column.
type Column struct {
	Name      string
	Category  Category
	Purpose   string
	Basis     Basis
	Retention string
	Export    ExportRule
	Erasure   ErasureRule
	Refers    Refers
}

// person marks c as naming a person of the tenant.
func (c Column) person() Column { c.Refers = RefPerson; return c }

// file marks c as naming a stored file.
func (c Column) file() Column { c.Refers = RefFile; return c }

// Table declares one table. Subject names the column that identifies the
// data subject of a row ("" when the rows are not about a person). When
// Via is set, Subject holds the id of a row of table Via, whose own
// Subject is the person (a mark is about the learner of its submission).
//
// Withheld, when set, is an SQL condition over alias t for rows an export
// leaves out for now, and WithheldWhy says why (a mark not yet released to
// the learner: DPA 2018 Sch. 2 para. 25 lets exam marks wait for their
// release); the export says how many it withheld.
//
// OwnOnly tables are exported only in the person's own export, never in
// one an admin or a guardian makes for them (what a learner shared with
// their tutor in confidence).
type Table struct {
	Name        string
	Owner       Owner
	Subject     string
	Via         string
	Withheld    string
	WithheldWhy string
	OwnOnly     bool
	Description string
	Columns     []Column
}

// Column returns the declaration of a column of t.
func (t Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// registry is every declaration. Each area declares its tables in its own
// file (tables_*.go) and is listed here once.
var registry = concat(platformTables, identityTables, courseTables, assignmentTables, discussionTables, engagementTables, rosterTables, termTables, rosterSyncTables, integrationTables, idempotencyTables, boundaryTables, controllerTables, lifecycleTables, quizTables, surveyTables, peerTables, tutorTables, mediaTables, commsTables, usageTables, rolloverTables, dueTables, signInTables, ssoTables)

func concat(groups ...[]Table) []Table {
	var out []Table
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Tables is the registry.
func Tables() []Table { return registry }

// Lookup returns the declaration of a table.
func Lookup(name string) (Table, bool) {
	for _, t := range registry {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// InfrastructureTable reports tables that belong to libraries (the job
// queue, the migration log) and hold no personal data of their own; job
// arguments carry ids only.
func InfrastructureTable(name string) bool {
	return name == "goose_db_version" || len(name) > 6 && name[:6] == "river_"
}

// SubjectExpr is an SQL expression over alias t giving the id of the
// tenant member a row of t is about: the subject column, or the subject of
// the Via row it belongs to. ok is false when the rows are not about a
// member (no subject, or a subject who is processor staff).
func (t Table) SubjectExpr() (expr string, ok bool) {
	if t.Subject == "" {
		return "", false
	}
	if t.Via != "" {
		parent, found := Lookup(t.Via)
		if !found {
			return "", false
		}
		return "(SELECT v." + parent.Subject + " FROM " + parent.Name + " v WHERE v.id = t." + t.Subject + ")", true
	}
	if c, _ := t.Column(t.Subject); c.Refers != RefPerson {
		return "", false
	}
	return "t." + t.Subject, true
}

// SubjectIs is an SQL condition over alias t selecting the rows about the
// member whose id is param (an SQL parameter such as @p), written so an
// index on the subject column serves it.
func (t Table) SubjectIs(param string) (cond string, ok bool) {
	expr, ok := t.SubjectExpr()
	if !ok {
		return "", false
	}
	if t.Via != "" {
		parent, _ := Lookup(t.Via)
		return "t." + t.Subject + " IN (SELECT v.id FROM " + parent.Name + " v WHERE v." + parent.Subject + " = " + param + ")", true
	}
	return expr + " = " + param, true
}
