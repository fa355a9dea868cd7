package backup

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a RestoreStatus takes, for the OpenAPI document.
func (RestoreStatus) Enum() []any {
	return []any{RestoreQueued, RestoreRunning, RestoreDone, RestoreFailed}
}

// Enum lists the values a Status takes, for the OpenAPI document.
func (Status) Enum() []any {
	return []any{StatusRunning, StatusDone, StatusFailed, StatusPurged}
}
