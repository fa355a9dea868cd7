package survey

// The statements the service runs as raw SQL; the rest goes through gorm.

// answeredSQL counts the participation rows of a survey's participant
// hash (0 or 1).
const answeredSQL = `
	SELECT count(*) FROM survey_participants
	WHERE survey_id = ? AND participant_hash = ?`

// participateSQL records that a participant answered, once: no row is
// written when they had already.
const participateSQL = `
	INSERT INTO survey_participants (tenant_id, survey_id, participant_hash)
	VALUES (?, ?, ?)
	ON CONFLICT DO NOTHING`

// anonymousResponseSQL writes an anonymous response: a random id and the
// answers, nothing else.
const anonymousResponseSQL = `
	INSERT INTO survey_responses (tenant_id, id, survey_id, answers)
	VALUES (?, ?, ?, ?)`

// namedResponseSQL writes a named survey's response, with its person and
// time.
const namedResponseSQL = `
	INSERT INTO survey_responses (tenant_id, id, survey_id, person_id, answers, submitted_at)
	VALUES (?, ?, ?, ?, ?, ?)`
