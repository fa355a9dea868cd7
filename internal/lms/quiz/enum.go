package quiz

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a AttemptStatus takes, for the OpenAPI document.
func (AttemptStatus) Enum() []any {
	return []any{AttemptInProgress, AttemptSubmitted}
}
