package privacy

// signInLife is how long sign-in events are kept (identity.SignInKeep).
const signInLife = "1 year, then deleted by the credential sweep (kept while the person is under a legal hold); deleted with the person"

// signInTables declare the sign-in evidence of a school's members: every
// sign-in and every failed one. It is kept apart from the audit trail,
// which outlives an erasure; these rows go with the person.
var signInTables = []Table{
	{
		Name: "member_sign_in_events", Owner: Tenant, Subject: "person_id",
		Description: "Every sign-in of a member and every failed one: how, whether it worked, the network and browser in words (never the whole address, never a name typed that matched nobody).",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("person_id", Key, "whose account the sign-in was to (empty when the name matched nobody)", LegitimateInterest, signInLife, Export, Delete).person(),
			col("method", Security, "how the person signed in (password, code, link, passkey, school account)", LegitimateInterest, signInLife, Export, Delete),
			col("outcome", Security, "whether it worked, or how it failed (wrong password, locked, refused, wrong code): protect the account against guessing", LegitimateInterest, signInLife, Export, Delete),
			col("detail", Security, "a refusal's reason in words, for the school's admins (never a secret)", LegitimateInterest, signInLife, Export, Delete),
			col("network", Security, "the approximate place (network, not address) to tell the person's own sign-ins from someone else's", LegitimateInterest, signInLife, Export, Delete),
			col("browser", Security, "the browser and system in words, to tell the person's devices from someone else's", LegitimateInterest, signInLife, Export, Delete),
			col("at", Security, "when it happened", LegitimateInterest, signInLife, Export, Delete),
		},
	},
}
