package tenant

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a ContractStatus takes, for the OpenAPI document.
func (ContractStatus) Enum() []any {
	return []any{ContractActive, ContractEnding, ContractEnded, ContractDeleted}
}
