-- Images in a page written in the editor are files in the tenant's store,
-- like any other content file; this table says which page holds which, so
-- only those who may read the page get a link to its images, and deleting
-- the page (or taking an image out of it) deletes the image.

-- +goose Up
CREATE TABLE item_images (
    tenant_id uuid NOT NULL,
    item_id   uuid NOT NULL,
    file_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, item_id, file_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES course_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, file_id) REFERENCES files (tenant_id, id)
);
CREATE UNIQUE INDEX item_images_file ON item_images (tenant_id, file_id);
ALTER TABLE item_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE item_images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON item_images
    USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));

-- +goose Down
DROP TABLE item_images;
