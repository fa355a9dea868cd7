package privacy

const (
	tutorLife      = "while the learner is at the school and the tutorship lasts; then for the school's retention period for pupil records"
	disclosureLife = "until the learner withdraws it or leaves; erased with the learner"
)

// tutorTables declares personal tutoring.
var tutorTables = []Table{
	{
		Name: "tutorships", Owner: Tenant, Subject: "learner_id", Description: "Which tutor a learner has (not tied to a course); access ends when the tutorship ends or the learner leaves.",
		Columns: []Column{
			key("tenant_id"), key("tutor_id").person(), key("learner_id").person(),
			col("assigned_by", Key, "who assigned the tutor", PublicTask, tutorLife, Export, Anonymise).person(),
			col("assigned_at", Record, "record keeping", PublicTask, tutorLife, Export, Delete),
			col("ended_at", Record, "when the tutorship ended", PublicTask, tutorLife, Export, Delete),
		},
	},
	{
		Name: "tutor_meetings", Owner: Tenant, Subject: "learner_id", Description: "A tutor's record of a meeting with a tutee and the support agreed.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("learner_id").person(),
			col("tutor_id", Key, "who met the learner", PublicTask, tutorLife, Export, Anonymise).person(),
			col("met_on", Education, "when they met", PublicTask, tutorLife, Export, Delete),
			col("notes", Education, "what was discussed", PublicTask, tutorLife, Export, Delete),
			col("agreed_support", Education, "the support agreed", PublicTask, tutorLife, Export, Delete),
			col("created_at", Record, "record keeping", PublicTask, tutorLife, Export, Delete),
		},
	},
	{
		Name: "tutor_disclosures", Owner: Tenant, Subject: "learner_id", OwnOnly: true, Description: "What a learner chose to share with their tutor about their health or a disability, with their explicit consent; seen only by that tutor and the support staff the learner named.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("learner_id").person(),
			col("tutor_id", Key, "the tutor it was shared with", ExplicitConsent, disclosureLife, Export, Anonymise).person(),
			col("category", Special, "what kind of information it is", ExplicitConsent, disclosureLife, Export, Delete),
			col("details", Special, "what the learner shared, so they are supported", ExplicitConsent, disclosureLife, Export, Delete),
			col("shared_with", Key, "the support staff the learner named", ExplicitConsent, disclosureLife, Export, Delete),
			col("consent_at", Record, "when the learner gave explicit consent", ExplicitConsent, disclosureLife, Export, Delete),
			col("consent_wording", Record, "the wording the learner agreed to", ExplicitConsent, disclosureLife, Export, Delete),
			col("created_at", Record, "record keeping", ExplicitConsent, disclosureLife, Export, Delete),
		},
	},
}
