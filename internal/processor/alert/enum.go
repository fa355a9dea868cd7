package alert

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a WebhookStatus takes, for the OpenAPI document.
func (WebhookStatus) Enum() []any {
	return []any{WebhookNone, WebhookPending, WebhookDelivered, WebhookFailed}
}
