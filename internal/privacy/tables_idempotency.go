package privacy

// replayLife is how long a create's answer is kept for its retries.
const replayLife = "24 hours from the first request, then deleted (hourly sweep; ignored on read after 24 hours); deleted at contract end"

// idempotencyTables declare the answers of the API's creates kept by
// their Idempotency-Key, so a caller's retry gets the first answer instead
// of a second course. Rows are about a request, not a person: the answer
// is a copy of what the create returned (it may name the people created)
// for the caller alone, gone within a day, so exports and erasure leave
// it to expire.
var idempotencyTables = []Table{
	{
		Name: "idempotency_keys", Owner: Tenant,
		Description: "The answers of API creates kept for 24 hours by their Idempotency-Key, so a retried request is answered once.",
		Columns: []Column{
			key("tenant_id"),
			col("principal", Key, "whose key it is (member or integration id): a key answers only its caller", LegitimateInterest, replayLife, Omit, Retain),
			col("key", Key, "the caller's Idempotency-Key", LegitimateInterest, replayLife, Omit, Retain),
			col("request_hash", Security, "tell a retry from a different request under the same key (SHA-256 of method, route, ids and body)", LegitimateInterest, replayLife, Omit, Retain),
			col("status", Record, "the first answer's status, replayed", LegitimateInterest, replayLife, Omit, Retain),
			col("location", Record, "the first answer's Location, replayed", LegitimateInterest, replayLife, Omit, Retain),
			col("content_type", Record, "the first answer's media type, replayed", LegitimateInterest, replayLife, Omit, Retain),
			col("reply", Content, "the first answer's body (a copy of what the create returned), replayed to the same caller", LegitimateInterest, replayLife, Omit, Retain),
			col("created_at", Record, "when the key was first used: it expires 24 hours later", LegitimateInterest, replayLife, Omit, Retain),
		},
	},
}
