package privacy

const mediaLife = "while the person is at the school, or until they or the school remove it; erased with the person"

// mediaTables declares profile photos and recordings.
var mediaTables = []Table{
	{
		Name: "profile_photos", Owner: Tenant, Subject: "person_id", Description: "A person's profile photo: their own choice, or the school's ID photo; shown to others only with their photo consent in force.",
		Columns: []Column{
			key("tenant_id"), key("person_id").person(),
			col("file_id", Content, "the photo", Consent, mediaLife, Export, Delete).file(),
			col("source", Record, "whether the person or the school set it", PublicTask, mediaLife, Export, Delete),
			col("set_by", Key, "who set it", PublicTask, mediaLife, Export, Anonymise).person(),
			col("set_at", Record, "record keeping", PublicTask, mediaLife, Export, Delete),
		},
	},
	{
		Name: "recordings", Owner: Tenant, Description: "Recorded lessons and video assessments of a course (the video is one of the school's files).",
		Columns: []Column{
			key("tenant_id"), key("id"), key("course_id"),
			col("title", Content, "name the recording", PublicTask, courseLife, Export, Retain),
			col("kind", Record, "a lesson or an assessment", PublicTask, courseLife, Export, Retain),
			col("file_id", Content, "the video", PublicTask, courseLife, Export, Retain).file(),
			col("recorded_on", Record, "when it was recorded", PublicTask, courseLife, Export, Retain),
			col("created_by", Key, "who added it", PublicTask, courseLife, Export, Anonymise).person(),
			col("created_at", Record, "record keeping", PublicTask, courseLife, Export, Retain),
		},
	},
	{
		Name: "recording_participants", Owner: Tenant, Subject: "person_id", Description: "Who appears in a recording, so their subject access export carries it and their erasure finds it.",
		Columns: []Column{
			key("tenant_id"), key("recording_id"), key("person_id").person(),
			col("file_id", Content, "the recording they appear in", PublicTask, courseLife, Export, Retain).file(),
		},
	},
}
