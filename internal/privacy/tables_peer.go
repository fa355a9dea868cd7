package privacy

// peerTables declares peer assessment. A rating is about its ratee; the
// rater is another person, withheld from the ratee's export like any other.
var peerTables = []Table{
	{
		Name: "peer_assessments", Owner: Tenant, Description: "Peer assessment of a group assignment: the criteria learners rate their group members against.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("assignment_id"),
			col("criteria", Content, "what learners rate", PublicTask, courseLife, Export, Retain),
			col("closes_at", Record, "when rating ends", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who set it", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "peer_ratings", Owner: Tenant, Subject: "ratee_id",
		Withheld:    "true",
		WithheldWhy: "peer ratings are given to the rated learner as averages (on the peer assessment page) so that no rater's own rating can be told (DPA 2018 Sch. 2 para. 16: other people's rights)",
		Description: "A learner's rating of a group member's contribution on one criterion; teachers see who gave it, the rated learner only averages.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("assessment_id"),
			col("rater_id", Key, "who gave the rating (teachers only)", PublicTask, workLife, Export, Anonymise).person(),
			key("ratee_id").person(),
			col("criterion", Record, "which criterion", PublicTask, workLife, Export, Delete),
			col("score", Education, "the rating, 1-5: information for the teacher, who decides the marks", PublicTask, workLife, Export, Delete),
			col("rated_at", Record, "record keeping", PublicTask, workLife, Export, Delete),
		},
	},
}
