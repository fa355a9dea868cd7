package privacy

// Retention phrases used below.
const (
	whileMember   = "while the person is a member of the tenant; then erased by the school's retention rule"
	untilContract = "for the life of the contract; deleted at contract end"
	sessionLife   = "until expiry or revocation, then 30 days; then deleted"
	staffLife     = "while employed by the processor, then 1 year"
)

// col builds a Column; most columns of a table share basis and retention.
func col(name string, c Category, purpose string, b Basis, ret string, ex ExportRule, er ErasureRule) Column {
	return Column{Name: name, Category: c, Purpose: purpose, Basis: b, Retention: ret, Export: ex, Erasure: er}
}

func key(name string) Column {
	return col(name, Key, "identify and link rows", NotPersonal, "with the row", Export, Retain)
}

func keyOmit(name string) Column {
	return col(name, Key, "identify and link rows", NotPersonal, "with the row", Omit, Retain)
}

var platformTables = []Table{
	{
		Name: "tenants", Owner: Processor, Description: "Customers (controllers): a school or a trust.",
		Columns: []Column{
			key("id"),
			col("slug", Organisation, "address the tenant in URLs", Contract, untilContract, Export, Retain),
			col("name", Organisation, "name the customer", Contract, untilContract, Export, Retain),
			col("kind", Organisation, "school or trust", Contract, untilContract, Export, Retain),
			col("region", Organisation, "keep data in the agreed region", Contract, untilContract, Export, Retain),
			col("max_file_bytes", Organisation, "limit the size of one uploaded file", Contract, untilContract, Export, Retain),
			col("time_zone", Organisation, "show and read times in the tenant's local time", Contract, untilContract, Export, Retain),
			col("admins_two_step", Organisation, "require two-step sign-in of the tenant's admins and access approvers", Contract, untilContract, Export, Retain),
			col("created_at", Record, "record keeping", Contract, untilContract, Export, Retain),
			col("updated_at", Record, "record keeping", Contract, untilContract, Export, Retain),
		},
	},
	{
		Name: "contracts", Owner: Processor, Description: "The processing contract with each tenant; outlives the tenant's data as a tombstone.",
		Columns: []Column{
			key("tenant_id"),
			col("reference", Organisation, "identify the contract", Contract, "7 years after contract end", Export, Retain),
			col("starts_on", Organisation, "contract term", Contract, "7 years after contract end", Export, Retain),
			col("ends_on", Organisation, "contract term; drives return and deletion", Contract, "7 years after contract end", Export, Retain),
			col("status", Organisation, "lifecycle: active, ending, ended, deleted", Contract, "7 years after contract end", Export, Retain),
			col("return_window_days", Organisation, "how long the export stays available", Contract, "7 years after contract end", Export, Retain),
			col("updated_at", Record, "record keeping", Contract, "7 years after contract end", Export, Retain),
		},
	},
	{
		Name: "staff", Owner: Processor, Subject: "id", Description: "Processor staff (the processor's own people, it being their controller).",
		Columns: []Column{
			key("id"),
			col("email", Contact, "sign-in name and contact", Contract, staffLife, Export, Anonymise),
			col("display_name", Identity, "name staff in the access log tenants read", LegitimateInterest, staffLife, Export, Anonymise),
			col("role", Role, "operator or support", Contract, staffLife, Export, Retain),
			col("password_hash", Credential, "authenticate", Contract, staffLife, Omit, Delete),
			col("failed_logins", Security, "lock out password guessing", LegitimateInterest, staffLife, Export, Delete),
			col("locked_until", Security, "lock out password guessing", LegitimateInterest, staffLife, Export, Delete),
			col("disabled_at", Record, "end access when staff leave", Contract, staffLife, Export, Retain),
			col("created_at", Record, "record keeping", Contract, staffLife, Export, Retain),
			col("sub_processor_id", Organisation, "which sub-processor employs them, so grants go only to authorised sub-processors", Contract, staffLife, Export, Retain),
		},
	},
	credentialTable("staff_credentials", "staff_id", Processor),
	totpTable("staff_totp", "staff_id", Processor),
	recoveryCodeTable("staff_recovery_codes", "staff_id", Processor),
	{
		Name: "staff_security_events", Owner: Processor, Subject: "staff_id", Description: "The platform's append-only trail of staff two-step sign-in events.",
		Columns: []Column{
			key("id"), key("staff_id"),
			col("at", Security, "when it happened", LegitimateInterest, staffLife, Export, Retain),
			col("action", Security, "two-step sign-in turned on or off, a wrong code, a recovery code used", LegitimateInterest, staffLife, Export, Retain),
			col("ip", Security, "investigate abuse", LegitimateInterest, staffLife, Export, Retain),
		},
	},
	{
		Name: "rate_limits", Owner: Processor, Description: "Counts of sign-in attempts per client, keyed by a hash of the client address.",
		Columns: []Column{
			col("key", Security, "throttle password guessing (SHA-256 of scope and client address)", LegitimateInterest, "until the window ends, then swept", Omit, Delete),
			col("window_start", Security, "throttle password guessing", LegitimateInterest, "until the window ends, then swept", Omit, Delete),
			col("count", Security, "throttle password guessing", LegitimateInterest, "until the window ends, then swept", Omit, Delete),
		},
	},
}

var identityTables = []Table{
	{
		Name: "schools", Owner: Tenant, Description: "The schools of a tenant.",
		Columns: []Column{
			key("tenant_id"), key("id"),
			col("slug", Organisation, "address the school", PublicTask, untilContract, Export, Retain),
			col("name", Organisation, "name the school", PublicTask, untilContract, Export, Retain),
			col("teachers_create_courses", Record, "whether the school's teachers may make courses", PublicTask, untilContract, Export, Retain),
			col("teachers_enrol", Record, "whether a course's teachers may enrol the school's learners", PublicTask, untilContract, Export, Retain),
			col("guardians_see_due", Record, "whether parents and carers see their child's work due", PublicTask, untilContract, Export, Retain),
			col("guardians_see_missing", Record, "whether parents and carers see their child's missing work", PublicTask, untilContract, Export, Retain),
			col("guardians_see_marks", Record, "whether parents and carers see their child's released marks and feedback", PublicTask, untilContract, Export, Retain),
			col("time_zone", Organisation, "show and read times in the school's local time, when it differs from the tenant's", PublicTask, untilContract, Export, Retain),
			col("teachers_reset_passwords", Record, "whether a course's teachers may make one-time set-password codes for its learners", PublicTask, untilContract, Export, Retain),
			col("roster_guardians", Record, "whether a roster import makes accounts for the school's pupils' parents and carers", PublicTask, untilContract, Export, Retain),
			col("external_id", Organisation, "match the school to the org id its information system's roster export gives it", PublicTask, untilContract, Export, Retain),
			col("dfe_number", Organisation, "match the school to its roster export by its DfE number", PublicTask, untilContract, Export, Retain),
			col("urn", Organisation, "match the school to its roster export by its unique reference number", PublicTask, untilContract, Export, Retain),
			col("created_at", Record, "record keeping", PublicTask, untilContract, Export, Retain),
		},
	},
	{
		Name: "people", Owner: Tenant, Subject: "id", Description: "Members of a tenant: learners, teachers, admins, guardians.",
		Columns: []Column{
			key("tenant_id"), key("id").person(),
			col("username", Identity, "sign in and identify the person to staff", PublicTask, whileMember, Export, Delete),
			col("username_key", Identity, "find the person by their username in any case at sign-in (the username in lower case, kept by PostgreSQL)", PublicTask, whileMember, Omit, Delete),
			col("email", Contact, "contact the person about their learning", PublicTask, whileMember, Export, Delete),
			col("display_name", Identity, "show who did what in courses", PublicTask, whileMember, Export, Delete),
			col("status", Record, "active or suspended", PublicTask, whileMember, Export, Delete),
			col("external_id", Key, "match the school information system's record on re-import", PublicTask, whileMember, Export, Delete),
			col("password_hash", Credential, "authenticate", PublicTask, whileMember, Omit, Delete),
			col("failed_logins", Security, "lock out password guessing", LegitimateInterest, whileMember, Export, Delete),
			col("locked_until", Security, "lock out password guessing", LegitimateInterest, whileMember, Export, Delete),
			col("created_at", Record, "record keeping", PublicTask, whileMember, Export, Retain),
			col("updated_at", Record, "record keeping", PublicTask, whileMember, Export, Retain),
			col("birth_date", Identity, "know which learners are under 13 and need a guardian's consent", PublicTask, whileMember, Export, Delete),
			col("restricted_at", Record, "honour the person's right to restriction (Art. 18)", LegalObligation, whileMember, Export, Delete),
			col("restriction_reason", Record, "record why processing is restricted", LegalObligation, whileMember, Export, Delete),
			col("objected_at", Record, "honour the person's objection to processing on legitimate interests (Art. 21)", LegalObligation, whileMember, Export, Delete),
			col("left_on", Record, "when the person left, from which the school's leaver retention runs", PublicTask, whileMember, Export, Delete),
			col("given_name", Identity, "keep the legal name as the school's information system gives it", PublicTask, whileMember, Export, Delete),
			col("middle_name", Identity, "keep the legal name as the school's information system gives it", PublicTask, whileMember, Export, Delete),
			col("family_name", Identity, "keep the legal name as the school's information system gives it", PublicTask, whileMember, Export, Delete),
			col("preferred_name", Identity, "call the person by the first name they go by (the shown name is built from it)", PublicTask, whileMember, Export, Delete),
			col("pupil_number", Identity, "match the pupil to the school's own records (a UPN in England)", PublicTask, whileMember, Export, Delete),
		},
	},
	{
		Name: "role_assignments", Owner: Tenant, Subject: "person_id", Description: "Which role a person holds, in a school or the whole tenant.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(), key("school_id"),
			col("role", Role, "decide what the person may do", PublicTask, whileMember, Export, Delete),
			col("created_at", Record, "record keeping", PublicTask, whileMember, Export, Delete),
		},
	},
	withColumns(credentialTable("member_credentials", "person_id", Tenant),
		col("last_network", Security, "notice a token used from a new network (a security signal)", LegitimateInterest, sessionLife, Export, Delete)),
	totpTable("member_totp", "person_id", Tenant),
	recoveryCodeTable("member_recovery_codes", "person_id", Tenant),
	{
		Name: "member_passkeys", Owner: Tenant, Subject: "person_id", Description: "A member's passkeys (WebAuthn): the public key and sign count that check each sign-in; the private key stays on the person's device.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(),
			col("name", Security, "let the person tell their passkeys apart", PublicTask, "until removed; deleted with the account", Export, Delete),
			col("credential_id", Credential, "find the passkey a sign-in names", PublicTask, "until removed; deleted with the account", Omit, Delete),
			col("credential", Credential, "check a passkey sign-in (public key, sign count)", PublicTask, "until removed; deleted with the account", Omit, Delete),
			col("created_at", Security, "record keeping", PublicTask, "until removed; deleted with the account", Export, Delete),
			col("last_used_at", Security, "let the person see which passkeys they use", PublicTask, "until removed; deleted with the account", Export, Delete),
		},
	},
	{
		Name: "passkey_challenges", Owner: Tenant, Subject: "person_id", Description: "The challenge of a passkey being added or a passkey sign-in, for five minutes; used once.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(),
			col("name", Security, "the name of the passkey being added", PublicTask, "five minutes; deleted with the account", Omit, Delete),
			col("session", Security, "check the answer to the challenge", PublicTask, "five minutes; deleted with the account", Omit, Delete),
			col("expires_at", Security, "expire the challenge", PublicTask, "five minutes; deleted with the account", Omit, Delete),
		},
	},
	{
		Name: "password_links", Owner: Tenant, Subject: "person_id", Description: "Set-password links sent by email (first admins, people an admin sends one to, people who forgot their password) and one-time set-password codes (sign-in cards); no secret is stored.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("person_id").person(),
			col("purpose", Security, "invitation or reset", PublicTask, "72 hours, then with the person", Export, Delete),
			col("created_at", Security, "expire the link", PublicTask, "72 hours, then with the person", Export, Delete),
			col("expires_at", Security, "expire the link", PublicTask, "72 hours, then with the person", Export, Delete),
			col("sent_at", Security, "send the link once", PublicTask, "72 hours, then with the person", Export, Delete),
			col("used_at", Security, "use the link once", PublicTask, "72 hours, then with the person", Export, Delete),
			col("code_hash", Credential, "check a one-time set-password code (a keyed hash; the code itself is never stored)", PublicTask, "14 days, then with the person", Omit, Delete),
		},
	},
}

// withColumns adds columns to a table declaration.
func withColumns(t Table, cols ...Column) Table {
	t.Columns = append(t.Columns, cols...)
	return t
}

// credentialTable declares a sessions-and-tokens table; staff and members
// have the same shape.
func credentialTable(name, owner string, o Owner) Table {
	basis := PublicTask
	cols := []Column{}
	ownerCol := key(owner)
	if o == Tenant {
		cols = append(cols, key("tenant_id"))
		ownerCol = ownerCol.person()
	} else {
		basis = Contract
	}
	return Table{
		Name: name, Owner: o, Subject: owner, Description: "Sign-in sessions and personal API tokens; only a hash of each secret.",
		Columns: append(cols,
			key("id"), ownerCol,
			col("kind", Security, "session or token", basis, sessionLife, Export, Delete),
			col("name", Security, "the token's label", basis, sessionLife, Export, Delete),
			keyOmit("token_hash"),
			col("created_at", Security, "list and revoke sign-ins", LegitimateInterest, sessionLife, Export, Delete),
			col("expires_at", Security, "end sign-ins", LegitimateInterest, sessionLife, Export, Delete),
			col("last_seen_at", Security, "list and revoke sign-ins", LegitimateInterest, sessionLife, Export, Delete),
			col("revoked_at", Security, "end sign-ins", LegitimateInterest, sessionLife, Export, Delete),
			col("user_agent", Security, "let the person recognise their devices", LegitimateInterest, sessionLife, Export, Delete),
			col("ip", Security, "let the person recognise sign-ins; investigate abuse", LegitimateInterest, sessionLife, Export, Delete),
			col("second_factor", Security, "keep a sign-in that passed only the password out of everything until its second step", basis, sessionLife, Export, Delete),
			col("method", Security, "tell the person how each of their sign-ins was made (password, code, link, passkey)", basis, sessionLife, Export, Delete),
		),
	}
}

// ownerKeys are the leading key columns of a per-person security table.
func ownerKeys(owner string, o Owner) (cols []Column, basis Basis) {
	if o == Tenant {
		return []Column{key("tenant_id"), key(owner).person()}, PublicTask
	}
	return []Column{key(owner)}, Contract
}

// totpTable declares a two-step sign-in (TOTP) table; staff and members
// have one each. The secret is sealed under the platform key.
func totpTable(name, owner string, o Owner) Table {
	cols, basis := ownerKeys(owner, o)
	life := "while two-step sign-in is on; deleted with the account"
	return Table{
		Name: name, Owner: o, Subject: owner, Description: "Two-step sign-in: the authenticator app's secret, sealed under the platform key.",
		Columns: append(cols,
			col("secret_sealed", Credential, "check the codes of the person's authenticator app", basis, life, Omit, Delete),
			col("confirmed_at", Security, "when two-step sign-in was turned on", basis, life, Export, Delete),
			col("last_step", Security, "refuse a code used before (replay)", basis, life, Omit, Delete),
			col("created_at", Security, "record keeping", basis, life, Export, Delete),
		),
	}
}

// recoveryCodeTable declares the one-time recovery codes of two-step
// sign-in; only a hash of each code is kept.
func recoveryCodeTable(name, owner string, o Owner) Table {
	cols, basis := ownerKeys(owner, o)
	life := "until used or replaced; deleted with the account"
	return Table{
		Name: name, Owner: o, Subject: owner, Description: "One-time recovery codes for two-step sign-in; only a hash of each.",
		Columns: append(cols,
			col("code_hash", Credential, "check a recovery code once", basis, life, Omit, Delete),
			col("created_at", Security, "record keeping", basis, life, Export, Delete),
		),
	}
}
