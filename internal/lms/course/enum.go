package course

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Role takes, for the OpenAPI document.
func (Role) Enum() []any {
	return []any{RoleTeacher, RoleLearner, RoleAdmin}
}

// Enum lists the values a Status takes, for the OpenAPI document.
func (Status) Enum() []any {
	return []any{Draft, Published, Archived}
}
