package privacy

import "strings"

// words are the categories and lawful bases as a school office names them.
var words = map[string]string{
	string(Key): "references between records", string(Identity): "names and usernames", string(Contact): "contact details",
	string(Credential): "passwords and keys (scrambled)", string(Security): "sign-in and security records",
	string(Organisation): "about the school, not a person", string(Role): "roles", string(Record): "dates and states of records",
	string(Content): "what people write and upload", string(Education): "learning records (enrolments, arrangements, marks, feedback)",
	string(Activity): "what learners opened and when", string(Special): "special category data (health, disability)",
	string(PublicTask): "public task (the school's education duties)", string(Contract): "contract",
	string(LegitimateInterest): "legitimate interests (e.g. keeping the service secure)", string(LegalObligation): "legal obligation",
	string(ExplicitConsent): "explicit consent", string(Consent): "consent", string(NotPersonal): "not personal data",
}

// Words is a category or lawful basis in plain words (the code itself if
// it is not one: never blank).
func Words(code string) string {
	if w, ok := words[code]; ok {
		return w
	}
	return code
}

// forSchools puts the registry's word for the customer ("tenant") as a
// school office says it.
var forSchools = strings.NewReplacer("the tenant's", "the school's (or trust's)", "a tenant", "a school or trust",
	"the tenant", "the school (or trust)", "tenants", "schools", "tenant", "school")

// ForSchools is a registry text (a description, purpose or retention) in
// the words a school reads.
func ForSchools(s string) string { return forSchools.Replace(s) }
