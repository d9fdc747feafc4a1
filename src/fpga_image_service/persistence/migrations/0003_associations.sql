-- Associations of FPGA images with VM images. project_id is the project that
-- owns the FPGA image and made the association. An FPGA image with at least
-- one association is "protected": it cannot be deleted.
CREATE TABLE fpga_image_associations (
    fpga_image_id TEXT NOT NULL REFERENCES fpga_images (id),
    image_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (fpga_image_id, image_id)
);

CREATE INDEX fpga_image_associations_by_image
    ON fpga_image_associations (image_id, created_at, fpga_image_id);
