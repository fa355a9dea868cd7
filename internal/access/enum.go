package access

// The Enum methods list each typed string's values; the OpenAPI
// document's reflector (swaggest/jsonschema-go) reads them as enums.

// Enum lists the values a ActorKind takes, for the OpenAPI document.
func (ActorKind) Enum() []any {
	return []any{ActorMember, ActorStaff, ActorSystem, ActorIntegration}
}

// Enum lists the values a Basis takes, for the OpenAPI document.
func (Basis) Enum() []any {
	return []any{BasisMember, BasisAuthentication, BasisContract, BasisSystem, BasisSupport, BasisLegal, BasisIntegration}
}
