package identity

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a Kind takes, for the OpenAPI document.
func (Kind) Enum() []any {
	return []any{KindMember, KindStaff, KindIntegration}
}

// Enum lists the values a PersonStatus takes, for the OpenAPI document.
func (PersonStatus) Enum() []any {
	return []any{PersonActive, PersonSuspended}
}

// Enum lists the values a Role takes, for the OpenAPI document.
func (Role) Enum() []any {
	return []any{RoleAdmin, RoleTeacher, RoleLearner, RoleApprover, RoleGuardian, RoleTutor}
}

// Enum lists the values a StaffRole takes, for the OpenAPI document.
func (StaffRole) Enum() []any {
	return []any{StaffOperator, StaffSupport}
}
