package privacy

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Basis takes, for the OpenAPI document.
func (Basis) Enum() []any {
	return []any{PublicTask, Contract, LegitimateInterest, LegalObligation, ExplicitConsent, Consent, NotPersonal}
}

// Enum lists the values a Category takes, for the OpenAPI document.
func (Category) Enum() []any {
	return []any{Key, Identity, Contact, Credential, Security, Organisation, Role, Record, Content, Education, Activity, Special}
}

// Enum lists the values a ErasureRule takes, for the OpenAPI document.
func (ErasureRule) Enum() []any {
	return []any{Delete, Anonymise, Retain}
}

// Enum lists the values a ExportRule takes, for the OpenAPI document.
func (ExportRule) Enum() []any {
	return []any{Export, Omit}
}

// Enum lists the values a Owner takes, for the OpenAPI document.
func (Owner) Enum() []any {
	return []any{Tenant, Processor}
}

// Enum lists the values a Refers takes, for the OpenAPI document.
func (Refers) Enum() []any {
	return []any{RefPerson, RefFile}
}
