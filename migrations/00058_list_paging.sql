-- Every list pages by keyset (issue 25): WHERE (key, id) > (…) ORDER BY
-- key, id LIMIT n. These indexes match the orders of the lists that grow
-- without bound, tenant_id first, so a page is an index range however deep
-- it is. Each replaces an index that was its own leading columns.

-- +goose Up
CREATE INDEX security_events_page ON security_events (tenant_id, created_at DESC, id DESC);
DROP INDEX security_events_recent;
CREATE INDEX subject_requests_queue ON subject_requests (tenant_id, due_on, id);
CREATE INDEX subject_exports_page ON subject_exports (tenant_id, person_id, id DESC);
DROP INDEX subject_exports_person;
CREATE INDEX member_credentials_page ON member_credentials (tenant_id, person_id, created_at DESC, id DESC);
DROP INDEX member_credentials_person;
CREATE INDEX quiz_questions_page ON quiz_questions (tenant_id, course_id, created_at, id);
DROP INDEX quiz_questions_course;
CREATE INDEX quizzes_page ON quizzes (tenant_id, course_id, opens_at, id);
DROP INDEX quizzes_course;
CREATE INDEX surveys_page ON surveys (tenant_id, closes_at DESC, id DESC);
CREATE INDEX tutor_meetings_page ON tutor_meetings (tenant_id, learner_id, met_on DESC, id DESC);
DROP INDEX tutor_meetings_learner;
CREATE INDEX tutor_disclosures_page ON tutor_disclosures (tenant_id, learner_id, created_at DESC, id DESC);
DROP INDEX tutor_disclosures_learner;
CREATE INDEX recordings_page ON recordings (tenant_id, course_id, recorded_on DESC, id DESC);
DROP INDEX recordings_course;
CREATE INDEX retention_holds_page ON retention_holds (tenant_id, created_at DESC, id DESC) WHERE released_at IS NULL;

-- +goose Down
DROP INDEX retention_holds_page;
CREATE INDEX recordings_course ON recordings (tenant_id, course_id);
DROP INDEX recordings_page;
CREATE INDEX tutor_disclosures_learner ON tutor_disclosures (tenant_id, learner_id);
DROP INDEX tutor_disclosures_page;
CREATE INDEX tutor_meetings_learner ON tutor_meetings (tenant_id, learner_id);
DROP INDEX tutor_meetings_page;
DROP INDEX surveys_page;
CREATE INDEX quizzes_course ON quizzes (tenant_id, course_id);
DROP INDEX quizzes_page;
CREATE INDEX quiz_questions_course ON quiz_questions (tenant_id, course_id);
DROP INDEX quiz_questions_page;
CREATE INDEX member_credentials_person ON member_credentials (tenant_id, person_id);
DROP INDEX member_credentials_page;
CREATE INDEX subject_exports_person ON subject_exports (tenant_id, person_id);
DROP INDEX subject_exports_page;
DROP INDEX subject_requests_queue;
CREATE INDEX security_events_recent ON security_events (tenant_id, created_at DESC);
DROP INDEX security_events_page;
