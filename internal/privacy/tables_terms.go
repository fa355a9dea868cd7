package privacy

// termLife is how long a term is kept.
const termLife = "while the school exists; a roster file may remove it"

// termTables declare the school's terms (OneRoster academic sessions),
// which a roster import keeps and courses run in (courses.term_id).
var termTables = []Table{
	{
		Name: "terms", Owner: Tenant, Description: "The school's terms, semesters and school years, from its roster (OneRoster academic sessions); a course runs in one and ends with it.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("parent_id"),
			col("external_id", Key, "match the school information system's academic session on re-import", PublicTask, termLife, Export, Retain),
			col("title", Organisation, "name the term", PublicTask, termLife, Export, Retain),
			col("kind", Organisation, "term, semester, school year or grading period", PublicTask, termLife, Export, Retain),
			col("starts_on", Organisation, "when the term starts", PublicTask, termLife, Export, Retain),
			col("ends_on", Organisation, "when the term ends, and with it its courses", PublicTask, termLife, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, termLife, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, termLife, Export, Retain),
		},
	},
}

// Discarded is an input a file brings that the platform reads and does not
// keep (data minimisation): which file, which columns, and why not.
type Discarded struct {
	File    string
	Columns []string
	Why     string
}

// NotKept lists the columns of input files that are read and dropped.
// OneRoster's demographics.csv carries special category and other
// personal data a school's LMS does not need; only birthDate is kept
// (people.birth_date, for the under-13 consent rule).
func NotKept() []Discarded { return notKept }

var notKept = []Discarded{
	{
		File: "demographics.csv",
		Columns: []string{"sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander",
			"white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
			"cityOfBirth", "publicSchoolResidenceStatus", "metadata.*"},
		Why: "not needed to teach on the platform; sex and ethnicity are special category or sensitive data; only birthDate is kept",
	},
}
