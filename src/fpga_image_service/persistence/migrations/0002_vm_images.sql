-- VM images of the embedded image catalog, which operators add with
-- `fis admin-vm-image-add`. id is a lowercase UUID; owner is the project id;
-- visibility is private, shared, community or public, as in Glance.
-- created_at is microseconds since the Unix epoch, UTC.
CREATE TABLE vm_images (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    visibility TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX vm_images_by_owner ON vm_images (owner, created_at, id);
