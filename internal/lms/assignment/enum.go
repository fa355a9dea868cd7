package assignment

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Status takes, for the OpenAPI document.
func (Status) Enum() []any {
	return []any{StatusSubmitted, StatusUnmarked, StatusMarked, StatusReleased, StatusHandedIn, StatusLate, StatusMissing}
}
