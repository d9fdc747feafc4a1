-- Work is claimed in (next_attempt_at, created_at) order, one status at a
-- time. The old index ordered by next_attempt_at alone and held both
-- statuses: every image deleted, and every new one, starts at
-- next_attempt_at 0, so a claim read and sorted every pending image of that
-- status, and a claim of saving work read every pending removal too. A storm
-- of deletes made each claim cost milliseconds.
DROP INDEX fpga_images_pending;

CREATE INDEX fpga_images_saving
    ON fpga_images (next_attempt_at, created_at)
    WHERE status = 'saving';

CREATE INDEX fpga_images_deleting
    ON fpga_images (next_attempt_at, created_at)
    WHERE status = 'deleting';
