-- Contract-end deletion also aborts the incomplete multipart uploads under
-- the tenant's prefix (their parts hold the school's data where no listing
-- of objects shows them) and removes the job queue's rows that name the
-- tenant. Uploads are recorded before they are aborted, like objects, so a
-- run killed in between aborts them again and counts them once; keys are
-- relative to the tenant's prefix, so no row names the tenant.

-- +goose Up
CREATE TABLE deletion_uploads (
    deletion_id uuid NOT NULL REFERENCES deletions (id) ON DELETE CASCADE,
    bucket      text NOT NULL,
    key         text NOT NULL,
    upload_id   text NOT NULL,
    aborted     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (deletion_id, bucket, upload_id)
);
ALTER TABLE deletions ADD COLUMN uploads_aborted bigint NOT NULL DEFAULT 0,
    ADD COLUMN job_rows_removed bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE deletions DROP COLUMN job_rows_removed, DROP COLUMN uploads_aborted;
DROP TABLE deletion_uploads;
