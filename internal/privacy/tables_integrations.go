package privacy

// How long integration records are kept.
const (
	integrationRecordLife = "while the contract lasts (a revoked integration stays listed as revoked); deleted at contract end"
	integrationTokenLife  = "until the access token expires (an hour) or its integration is revoked; expired ones are removed when the integration next asks for a token"
)

// integrationTables declare the school's integrations (OAuth2 clients a
// school's admin registered; no personal data but who made and revoked
// them) and their short-lived access tokens (kept only as signatures).
var integrationTables = []Table{
	{
		Name: "integrations", Owner: Tenant, Subject: "created_by",
		Description: "Programs the school's admins registered to call the API without a person (OAuth2 client credentials): their names, scopes, and when each was made and revoked.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("name", Organisation, "tell the school's integrations apart and name each in the audit trail", Contract, integrationRecordLife, Export, Retain),
			col("client_id", Key, "identify the integration when it asks for a token", Contract, integrationRecordLife, Export, Retain),
			col("secret_hash", Credential, "check the integration's secret (bcrypt; the secret is never kept)", Contract, integrationRecordLife, Omit, Retain),
			col("scopes", Organisation, "what the integration may read or do", Contract, integrationRecordLife, Export, Retain),
			col("created_by", Key, "which admin registered the integration", PublicTask, integrationRecordLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", Contract, integrationRecordLife, Export, Retain),
			col("revoked_at", Security, "refuse a revoked integration", Contract, integrationRecordLife, Export, Retain),
			col("revoked_by", Key, "which admin revoked the integration", PublicTask, integrationRecordLife, Export, Anonymise).person(),
		},
	},
	{
		Name: "integration_tokens", Owner: Tenant,
		Description: "The integrations' live access tokens, kept only as their signatures so the API can recognise and refuse them.",
		Columns: []Column{
			key("tenant_id"), key("integration_id"),
			col("signature", Credential, "recognise an access token (its HMAC signature; the token is never kept)", Contract, integrationTokenLife, Omit, Retain),
			col("request_id", Key, "the token request that issued the token", Contract, integrationTokenLife, Omit, Retain),
			col("scopes", Organisation, "what the token may read or do", Contract, integrationTokenLife, Omit, Retain),
			col("issued_at", Record, "record keeping", Contract, integrationTokenLife, Omit, Retain),
			col("expires_at", Security, "refuse an expired token", Contract, integrationTokenLife, Omit, Retain),
		},
	},
}
