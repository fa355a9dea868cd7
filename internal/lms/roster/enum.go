package roster

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Mode takes, for the OpenAPI document.
func (Mode) Enum() []any {
	return []any{Bulk, Delta, Absent}
}
