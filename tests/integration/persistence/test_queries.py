from __future__ import annotations

from pathlib import Path

from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.persistence import listing, queries
from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.persistence.records import now_us
from tests.integration.persistence.helpers import add_image, add_project


def test_migrate_twice_applies_nothing_the_second_time(database_url: str) -> None:
    db = open_database(database_url)
    first = migrate(db)
    assert first[0] == "0001_initial.sql"
    assert first == sorted(first)
    assert migrate(db) == []
    db.close()


def test_list_is_newest_first_with_ties_broken_by_id(db: Database) -> None:
    project = add_project(db)
    same_time = now_us()
    images = [add_image(db, project, same_time) for _ in range(3)]
    newest = add_image(db, project, same_time + 10)

    with db.read() as conn:
        listed = listing.list_fpga_images(conn, project, None, 0)

    expected = [newest.id, *sorted((i.id for i in images), reverse=True)]
    assert [i.id for i in listed] == expected


def test_list_pages_and_count_the_total(db: Database) -> None:
    project = add_project(db)
    ids = [add_image(db, project, 1000 + n).id for n in range(7)]
    newest_first = list(reversed(ids))

    with db.read() as conn:
        page2 = listing.list_fpga_images(conn, project, 3, 3)
        total = queries.count_fpga_images(conn, project)

    assert [i.id for i in page2] == newest_first[3:6]
    assert total == 7


def test_images_of_another_project_are_invisible(db: Database) -> None:
    mine, theirs = add_project(db, "mine"), add_project(db, "theirs")
    image = add_image(db, theirs)

    with db.read() as conn:
        assert queries.get_fpga_image(conn, mine, image.id) is None
        assert listing.list_fpga_images(conn, mine, None, 0) == []
        assert queries.get_fpga_image(conn, theirs, image.id) is not None


def test_grants_are_per_project_and_idempotent(db: Database) -> None:
    project = add_project(db)
    with db.transaction() as conn:
        assert queries.grant_bucket(conn, project, "obs-fpga", now_us())
        assert not queries.grant_bucket(conn, project, "obs-fpga", now_us())
    with db.read() as conn:
        assert queries.is_bucket_granted(conn, project, "obs-fpga")
        assert not queries.is_bucket_granted(conn, project, "other")
    with db.transaction() as conn:
        assert queries.revoke_bucket(conn, project, "obs-fpga")
    with db.read() as conn:
        assert not queries.is_bucket_granted(conn, project, "obs-fpga")


def test_claim_takes_each_image_once(db: Database) -> None:
    project = add_project(db)
    first, second = add_image(db, project, 1), add_image(db, project, 2)
    now = now_us()

    with db.transaction() as conn:
        a = queries.claim_work(conn, "worker-a", now, now + 10_000_000)
    with db.transaction() as conn:
        b = queries.claim_work(conn, "worker-b", now, now + 10_000_000)
    with db.transaction() as conn:
        c = queries.claim_work(conn, "worker-c", now, now + 10_000_000)

    assert a is not None and b is not None
    assert {a.fpga_image_id, b.fpga_image_id} == {first.id, second.id}
    assert c is None


def test_expired_lease_is_taken_over_and_the_old_owner_cannot_finish(
    db: Database,
) -> None:
    project = add_project(db)
    image = add_image(db, project)
    now = now_us()
    with db.transaction() as conn:
        old = queries.claim_work(conn, "dead", now, now + 1)
    later = now + 5_000_000
    with db.transaction() as conn:
        new = queries.claim_work(conn, "alive", later, later + 10_000_000)

    assert old is not None and new is not None
    assert new.fpga_image_id == image.id and new.attempts == 2
    with db.transaction() as conn:
        assert not queries.finish_active(conn, old, 1, "0" * 64, "bin", "{}", later)
        assert queries.finish_active(conn, new, 1, "0" * 64, "bin", "{}", later)
        assert queries.current_status(conn, image.id) is FpgaImageStatus.ACTIVE


def test_retry_is_not_claimed_before_its_time(db: Database) -> None:
    project = add_project(db)
    add_image(db, project)
    now = now_us()
    with db.transaction() as conn:
        claim = queries.claim_work(conn, "w", now, now + 10_000_000)
        assert claim is not None
        assert queries.schedule_retry(conn, claim, now + 60_000_000, "storage down")
    with db.transaction() as conn:
        assert queries.claim_work(conn, "w", now + 1, now + 10_000_000) is None
    with db.transaction() as conn:
        retry = queries.claim_work(conn, "w", now + 61_000_000, now + 70_000_000)
    assert retry is not None and retry.attempts == 2


def test_finish_error_records_the_message(db: Database) -> None:
    project = add_project(db)
    image = add_image(db, project)
    now = now_us()
    with db.transaction() as conn:
        claim = queries.claim_work(conn, "w", now, now + 10_000_000)
        assert claim is not None
        assert queries.finish_error(conn, claim, "the file is empty", now)
    with db.read() as conn:
        stored = queries.get_fpga_image(conn, project, image.id)
    assert stored is not None
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message == "the file is empty"


def test_pages_from_either_end_agree_with_a_plain_listing(db: Database) -> None:
    project = add_project(db)
    for n in range(23):
        add_image(db, project, 1000 + n // 3)  # ties in created_at on purpose
    with db.read() as conn:
        everything = [i.id for i in listing.list_fpga_images(conn, project, None, 0)]
        total = queries.count_fpga_images(conn, project)
        for size in (1, 4, 10, 23, 30):
            for page in range(1, 8):
                offset = (page - 1) * size
                listed = listing.list_fpga_images(conn, project, size, offset, total)
                assert [i.id for i in listed] == everything[offset : offset + size]
    assert total == 23


def test_count_follows_inserts_and_row_deletes(db: Database) -> None:
    project = add_project(db)
    images = [add_image(db, project) for _ in range(4)]
    now = now_us()
    with db.transaction() as conn:
        current = queries.get_fpga_image(conn, project, images[0].id)
        assert current is not None and queries.mark_deleting(conn, current, now)
        (claim,) = queries.claim_deletions(conn, "w", now + 1, now + 10_000_000, 5)
        assert claim.fpga_image_id == images[0].id
        assert queries.delete_fpga_image_row(conn, claim)
    with db.read() as conn:
        stored = conn.one(
            "SELECT COUNT(*) AS n FROM fpga_images WHERE project_id = :p",
            {"p": project},
        )
        assert stored is not None
        assert queries.count_fpga_images(conn, project) == stored["n"] == 3


def test_work_queries_use_their_status_index_on_sqlite(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'plan.db'}")
    migrate(db)
    plans: list[str] = []
    with db.read() as conn:
        raw = conn.raw  # type: ignore[attr-defined]
        original = raw.execute

        def explain(sql: str, params: object = ()) -> object:
            if sql.lstrip().startswith("UPDATE fpga_images SET lease_owner"):
                inner = sql[sql.index("(SELECT") + 1 : sql.index(") RETURNING")]
                rows = original("EXPLAIN QUERY PLAN " + inner, params).fetchall()
                plans.append(" ".join(str(tuple(r)[3]) for r in rows))
            return original(sql, params)

        class Spy:
            dialect = "sqlite"

            def one(self, sql: str, params: dict[str, object]) -> object:
                explain(sql, params)
                return conn.one(sql, params)

            def all(self, sql: str, params: dict[str, object]) -> object:
                explain(sql, params)
                return conn.all(sql, params)

        spy = Spy()
        queries.claim_work(spy, "w", 1, 2)  # type: ignore[arg-type]
        queries.claim_deletions(spy, "w", 1, 2, 10)  # type: ignore[arg-type]
    db.close()
    assert len(plans) == 2
    # Each claim walks its own index in claim order: no sort of all pending.
    assert "fpga_images_saving" in plans[0], plans
    assert "fpga_images_deleting" in plans[1], plans
    assert not any("TEMP B-TREE" in plan for plan in plans), plans


def test_claims_of_each_kind_skip_the_other_kind(db: Database) -> None:
    project = add_project(db)
    deleting = [add_image(db, project) for _ in range(3)]
    saving = add_image(db, project)
    now = now_us()
    with db.transaction() as conn:
        for image in deleting:
            current = queries.get_fpga_image(conn, project, image.id)
            assert current is not None and queries.mark_deleting(conn, current, now)
        claim = queries.claim_work(conn, "w", now + 1, now + 10_000_000)
        assert claim is not None and claim.fpga_image_id == saving.id
        removals = queries.claim_deletions(conn, "w", now + 1, now + 10_000_000, 10)
        assert {c.fpga_image_id for c in removals} == {i.id for i in deleting}
        assert queries.claim_work(conn, "v", now + 1, now + 10_000_000) is None


def _version(db: Database, project: str) -> int:
    with db.read() as conn:
        return queries.list_state(conn, project)[1]


def test_every_change_the_detail_list_shows_raises_the_list_version(
    db: Database,
) -> None:
    """The rendered-page cache relies on this: one test per statement kind."""
    from fpga_image_service.persistence import associations

    project = add_project(db)
    seen = [_version(db, project)]

    def changed() -> None:
        now = _version(db, project)
        assert now > seen[-1]
        seen.append(now)

    first = add_image(db, project)
    changed()  # insert
    add_image(db, project)
    changed()
    now = now_us()
    with db.transaction() as conn:
        claim = queries.claim_work(conn, "w", now, now + 10_000_000)
    assert claim is not None and claim.fpga_image_id == first.id
    assert _version(db, project) == seen[-1]  # a lease is not shown
    with db.transaction() as conn:
        assert queries.extend_lease(conn, claim, now + 20_000_000)
    assert _version(db, project) == seen[-1]
    with db.transaction() as conn:
        assert queries.schedule_retry(conn, claim, now, "busy, retrying")
    changed()  # the message is shown
    with db.transaction() as conn:
        claim = queries.claim_work(conn, "w", now + 1, now + 10_000_000)
        assert claim is not None
        assert queries.finish_active(conn, claim, 1, "0" * 64, "bin", "{}", now)
    changed()
    with db.transaction() as conn:
        claim = queries.claim_work(conn, "w", now + 2, now + 10_000_000)
        assert claim is not None  # the other image of the two
        assert queries.finish_error(conn, claim, "empty", now)
    changed()
    vm_image = "00000000-0000-4000-8000-000000000001"
    with db.transaction() as conn:
        associations.insert_association(conn, first.id, vm_image, project, now)
    changed()  # protected
    with db.transaction() as conn:
        assert associations.delete_association(conn, first.id, vm_image)
    changed()
    with db.transaction() as conn:
        current = queries.get_fpga_image(conn, project, first.id)
        assert current is not None and queries.mark_deleting(conn, current, now)
    changed()
    with db.transaction() as conn:
        (claim,) = queries.claim_deletions(conn, "w", now + 3, now + 10_000_000, 5)
        queries.release_claim(conn, claim)
    assert _version(db, project) == seen[-1]
    with db.transaction() as conn:
        (claim,) = queries.claim_deletions(conn, "w", now + 4, now + 10_000_000, 5)
        assert queries.delete_fpga_image_row(conn, claim)
    changed()  # removed


def test_list_versions_are_per_project(db: Database) -> None:
    mine, theirs = add_project(db), add_project(db, "q")
    before = _version(db, theirs)
    add_image(db, mine)
    assert _version(db, theirs) == before
