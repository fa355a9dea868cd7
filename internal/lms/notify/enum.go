package notify

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Email takes, for the OpenAPI document.
func (Email) Enum() []any {
	return []any{EmailNow, EmailDigest, EmailNone}
}

// Enum lists the values a Kind takes, for the OpenAPI document.
func (Kind) Enum() []any {
	return []any{Feedback, DueSoon, Overdue, Announcement, Reply}
}
