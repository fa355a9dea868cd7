package support

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a State takes, for the OpenAPI document.
func (State) Enum() []any {
	return []any{StatePending, StateApproved, StateDenied, StateRevoked, StateExpired, StateEnded}
}
