package privacy

// How long single sign-on records are kept.
const (
	providerLife = "while the school keeps the provider connected; deleted when it removes it or the contract ends"
	linkLife     = "while the person and the provider are here; deleted with either"
	flowLife     = "ten minutes, or until used"
)

// ssoTables declare single sign-on: the school's connections to its
// identity providers (no personal data), which provider account is which
// person (the provider's subject id is personal data), and sign-ins on
// their way through a provider.
var ssoTables = []Table{
	{
		Name: "sign_in_providers", Owner: Tenant, Description: "The school's connection to Microsoft, Google, another OpenID provider or a SAML identity provider.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("kind", Organisation, "which service people sign in with", Contract, providerLife, Export, Retain),
			col("issuer", Organisation, "check who signed the identity", Contract, providerLife, Export, Retain),
			col("directory_id", Organisation, "accept only the school's own Microsoft directory", Contract, providerLife, Export, Retain),
			col("client_id", Organisation, "name the platform to the provider", Contract, providerLife, Export, Retain),
			col("secret_sealed", Credential, "prove the platform to the provider (sealed under the platform key)", Contract, providerLife, Omit, Retain),
			col("idp_metadata", Organisation, "the SAML provider's signing certificate and addresses", Contract, providerLife, Export, Retain),
			col("allowed_domains", Organisation, "accept only the school's email domains", Contract, providerLife, Export, Retain),
			col("match_by", Organisation, "how accounts are matched with people", Contract, providerLife, Export, Retain),
			col("create_people", Organisation, "whether unknown accounts are added", Contract, providerLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, providerLife, Export, Retain),
		},
	},
	{
		Name: "sso_links", Owner: Tenant, Subject: "person_id", Description: "Which account at the school's identity provider is which person (the provider's subject id).",
		Columns: []Column{
			key("tenant_id"), key("provider_id"), key("person_id").person(),
			col("subject", Identity, "recognise the person's provider account at each sign-in", PublicTask, linkLife, Export, Delete),
			col("created_at", Security, "record keeping", PublicTask, linkLife, Export, Delete),
			col("last_used_at", Security, "show when the account last signed in", PublicTask, linkLife, Export, Delete),
		},
	},
	{
		Name: "sso_flows", Owner: Tenant, Description: "A sign-in on its way through the school's provider: a hash of its state, its nonce and PKCE verifier (no person yet).",
		Columns: []Column{
			key("tenant_id"), keyOmit("state_hash"), key("provider_id"),
			col("nonce", Security, "tie the identity to this sign-in", NotPersonal, flowLife, Omit, Retain),
			col("verifier", Security, "prove the code is this sign-in's (PKCE)", NotPersonal, flowLife, Omit, Retain),
			col("next", Record, "the page to go to after signing in", NotPersonal, flowLife, Omit, Retain),
			col("expires_at", Record, "expire the sign-in", NotPersonal, flowLife, Omit, Retain),
		},
	},
	{
		Name: "sso_replays", Owner: Tenant, Description: "Ids of SAML assertions used, until they expire, so none is used twice.",
		Columns: []Column{
			key("tenant_id"),
			col("assertion_id", Security, "refuse an assertion used before", NotPersonal, "until the assertion expires", Omit, Retain),
			col("expires_at", Record, "forget the id when the assertion expires", NotPersonal, "until the assertion expires", Omit, Retain),
		},
	},
	{
		Name: "sign_in_rules", Owner: Tenant, Description: "The roles whose password sign-in the school switched off.",
		Columns: []Column{
			key("tenant_id"),
			col("password_off", Organisation, "refuse passwords for people who sign in with the school's provider", Contract, untilContract, Export, Retain),
		},
	},
}
