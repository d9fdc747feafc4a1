-- A number that grows with every change a project's detail list can show: an
-- image added, removed, or changed in status, message or protection. An API
-- process keeps rendered pages of the list and serves one again only while
-- this number is what it was when the page was rendered.
ALTER TABLE projects ADD COLUMN list_version BIGINT NOT NULL DEFAULT 0;
