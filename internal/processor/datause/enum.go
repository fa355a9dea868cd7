package datause

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a ExtractStatus takes, for the OpenAPI document.
func (ExtractStatus) Enum() []any {
	return []any{ExtractQueued, ExtractRunning, ExtractDone, ExtractFailed, ExtractRemoved}
}
