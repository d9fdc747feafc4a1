-- How many FPGA images each project holds, kept with every insert and delete
-- of an image row. The detail list answers the total with every page, and
-- counting 100,000 index entries per request costs more than the page itself.
ALTER TABLE projects ADD COLUMN fpga_image_count BIGINT NOT NULL DEFAULT 0;

UPDATE projects SET fpga_image_count = (
    SELECT COUNT(*) FROM fpga_images f WHERE f.project_id = projects.id
);
