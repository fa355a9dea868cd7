package privacy

// surveyLife is how long named survey responses are kept.
const surveyLife = "while the survey's course exists, for the purpose the survey states; erased with the person"

// surveyTables declares surveys and their responses. Anonymous responses
// hold no person and no time; participation is kept apart.
var surveyTables = []Table{
	{
		Name: "surveys", Owner: Tenant, Description: "Surveys and feedback forms of a course or the whole school, anonymous or named (a named one states its purpose).",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the survey", PublicTask, courseLife, Export, Retain),
			col("description", Content, "tell people what it is for", PublicTask, courseLife, Export, Retain),
			col("anonymous", Record, "whether responses are anonymous", PublicTask, courseLife, Export, Retain),
			col("purpose", Content, "why a named survey collects answers", PublicTask, courseLife, Export, Retain),
			col("questions", Content, "the questions asked", PublicTask, courseLife, Export, Retain),
			col("closes_at", Record, "when responses stop", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who set the survey", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "survey_participants", Owner: Tenant, Description: "That someone answered a survey, as a keyed hash of the survey and the person (the key is the server's), so each answers once and no table ties an answer to a person.",
		Columns: []Column{
			key("tenant_id"), key("survey_id"),
			col("participant_hash", Key, "let each person answer once (HMAC of survey and person, keyed outside the database)", PublicTask, surveyLife, Omit, Retain),
		},
	},
	{
		Name: "survey_responses", Owner: Tenant, Subject: "person_id", Description: "Answers to surveys: for a named survey with the person and time; for an anonymous one with neither.",
		Columns: []Column{
			key("tenant_id"), key("id"), key("survey_id"), key("person_id").person(),
			col("answers", Content, "the answers given", PublicTask, surveyLife, Export, Delete),
			col("submitted_at", Record, "when a named response was given", PublicTask, surveyLife, Export, Delete),
		},
	},
}
