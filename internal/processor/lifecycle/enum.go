package lifecycle

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a DeletionStatus takes, for the OpenAPI document.
func (DeletionStatus) Enum() []any {
	return []any{DeletionQueued, DeletionRunning, DeletionDone, DeletionFailed}
}
