package due

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Kind takes, for the OpenAPI document.
func (Kind) Enum() []any {
	return []any{KindAssignment, KindQuiz, KindEvent}
}
