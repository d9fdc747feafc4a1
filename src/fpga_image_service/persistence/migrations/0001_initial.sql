-- Projects, their access keys and the buckets they may register from.
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE access_keys (
    access_key TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE bucket_grants (
    project_id TEXT NOT NULL REFERENCES projects (id),
    bucket TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, bucket)
);

-- One row per FPGA image. Times are microseconds since the Unix epoch, UTC.
-- lease_owner / lease_expires_at are the ingest worker's claim; attempts and
-- next_attempt_at bound and pace the retries of transient failures.
CREATE TABLE fpga_images (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    description TEXT,
    location TEXT NOT NULL,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    format TEXT,
    inspection TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX fpga_images_by_project
    ON fpga_images (project_id, created_at DESC, id DESC);

CREATE INDEX fpga_images_pending
    ON fpga_images (next_attempt_at)
    WHERE status IN ('saving', 'deleting');
