package comms

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a OutboxStatus takes, for the OpenAPI document.
func (OutboxStatus) Enum() []any {
	return []any{OutboxQueued, OutboxSent, OutboxFailed, OutboxSuppressed}
}
