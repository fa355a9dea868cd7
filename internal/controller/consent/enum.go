package consent

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Relation takes, for the OpenAPI document.
func (Relation) Enum() []any {
	return []any{BySelf, ByGuardian, ByAdmin}
}
