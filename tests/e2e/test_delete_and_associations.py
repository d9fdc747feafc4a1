"""Delete and associations through the HTTP API, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from fpga_image_service.client import ClientConfig
from fpga_image_service.storage import LocalObjectStore
from tests.e2e import family
from tests.e2e.family import associate, call, delete, disassociate
from tests.e2e.service import RunningService, wait_for_status
from tests.fixtures import fpga_files


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    data_dir = tmp_path_factory.mktemp(f"fis-{request.param}") / "data"
    with family.service_on(request.param, data_dir) as svc:
        assert svc.fis("bucket-create", "obs-fpga").returncode == 0
        yield svc


@pytest.fixture(scope="module")
def me(service: RunningService) -> ClientConfig:
    return ClientConfig.load(service.client_file)


@pytest.fixture(scope="module")
def other(service: RunningService) -> ClientConfig:
    return family.second_project(service, "other")


def _gone(service: RunningService, fpga_image_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with service.client() as client:
        while client.get(fpga_image_id) is not None:
            assert time.monotonic() < deadline, f"{fpga_image_id} never went away"
            time.sleep(0.05)


def _stored_files(
    service: RunningService, project_id: str, fpga_image_id: str
) -> list[str]:
    """The image's object and the temporary files of copies into it."""
    key = f"{project_id}/{fpga_image_id}"
    images = LocalObjectStore(service.data_dir / "image-store")
    partials = images.partial_folder("fis-images", key)
    try:
        found = [p.name for p in partials.iterdir()]
    except FileNotFoundError:  # no copy running, or one just finished
        found = []
    store = service.data_dir / "image-store" / "fis-images"
    return found + [p.name for p in store.rglob("*") if fpga_image_id in p.name]


# -- delete -------------------------------------------------------------------


def test_delete_answers_204_and_the_image_disappears(
    service: RunningService, me: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    assert _stored_files(service, me.project_id, fpga_image_id)

    response = delete(me, fpga_image_id)

    assert response.status_code == 204 and response.content == b""
    _gone(service, fpga_image_id)
    assert _stored_files(service, me.project_id, fpga_image_id) == []


def test_deleting_is_visible_in_the_detail_list(
    service: RunningService, me: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    assert delete(me, fpga_image_id).status_code == 204
    with service.client() as client:
        image = client.get(fpga_image_id)
    # The worker may already have finished; if not, the status says deleting.
    assert image is None or image["status"] == "deleting"


def test_delete_of_an_error_image_works(
    service: RunningService, me: ClientConfig
) -> None:
    service.put_object("obs-fpga", "empty.bin", b"")
    with service.client() as client:
        fpga_image_id = client.register("obs-fpga:empty.bin", "e", {})["id"]
        wait_for_status(client, fpga_image_id, {"error"})
    assert delete(me, fpga_image_id).status_code == 204
    _gone(service, fpga_image_id)


def test_delete_of_a_saving_image_stops_the_copy(
    service: RunningService, me: ClientConfig
) -> None:
    source = service.bucket_path("obs-fpga") / "huge.bin"
    with source.open("wb") as out:
        out.write(fpga_files.raw_bin(payload_size=4096))
        out.truncate(3 << 30)
    with service.client() as client:
        fpga_image_id = client.register("obs-fpga:huge.bin", "huge", {})["id"]
    deadline = time.monotonic() + 30
    while not _stored_files(service, me.project_id, fpga_image_id):
        assert time.monotonic() < deadline, "the copy never started"
        time.sleep(0.01)

    response = delete(me, fpga_image_id)

    assert response.status_code == 204
    _gone(service, fpga_image_id, timeout=60)
    assert _stored_files(service, me.project_id, fpga_image_id) == []
    source.unlink()


def test_delete_of_unknown_malformed_and_foreign_ids(
    service: RunningService, me: ClientConfig, other: ClientConfig
) -> None:
    (mine,) = family.active_images(service, 1)

    unknown = delete(me, "0" * 32)
    malformed = delete(me, "not-an-id")
    foreign = delete(other, mine)

    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "FIS.0201"
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "Ecs.0005"
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "FIS.0201"
    assert foreign.json()["error"]["message"].replace(mine, "X").replace(
        other.project_id, "P"
    ) == unknown.json()["error"]["message"].replace("0" * 32, "X").replace(
        me.project_id, "P"
    )
    with service.client() as client:
        assert client.get(mine) is not None


# -- associations -------------------------------------------------------------


def test_associate_protects_until_the_last_association_is_removed(
    service: RunningService, me: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    vm_a = family.add_vm_image(service, me.project_id, "private")
    vm_b = family.add_vm_image(service, me.project_id, "private")

    assert associate(me, fpga_image_id, vm_a).status_code == 204
    assert associate(me, fpga_image_id, vm_b).status_code == 204
    with service.client() as client:
        assert client.get(fpga_image_id)["protected"] is True  # type: ignore[index]

    refused = delete(me, fpga_image_id)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "FIS.0203"
    assert refused.json()["error"]["message"] == (
        f"tenant [{me.project_id}] fpga image [{fpga_image_id}] is protected"
    )

    assert disassociate(me, fpga_image_id, vm_a).status_code == 204
    with service.client() as client:
        assert client.get(fpga_image_id)["protected"] is True  # type: ignore[index]
    assert disassociate(me, fpga_image_id, vm_b).status_code == 204
    with service.client() as client:
        assert client.get(fpga_image_id)["protected"] is False  # type: ignore[index]
    assert delete(me, fpga_image_id).status_code == 204


def test_only_active_images_can_be_associated(
    service: RunningService, me: ClientConfig
) -> None:
    service.put_object("obs-fpga", "empty2.bin", b"")
    with service.client() as client:
        fpga_image_id = client.register("obs-fpga:empty2.bin", "e", {})["id"]
        wait_for_status(client, fpga_image_id, {"error"})
    vm = family.add_vm_image(service, me.project_id, "private")

    response = associate(me, fpga_image_id, vm)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "FIS.0202"


@pytest.mark.parametrize("visibility", ["shared", "public", "community"])
def test_vm_images_that_are_not_private_are_refused(
    service: RunningService, me: ClientConfig, visibility: str
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    vm = family.add_vm_image(service, me.project_id, visibility)

    response = associate(me, fpga_image_id, vm)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "FIS.0302",
        "message": f"tenant [{me.project_id}] image [{vm}] type [{visibility}] "
        "is not private",
    }


def test_unknown_and_foreign_private_vm_images_are_refused_alike(
    service: RunningService, me: ClientConfig, other: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    theirs = family.add_vm_image(service, other.project_id, "private")

    foreign = associate(me, fpga_image_id, theirs)
    unknown = associate(me, fpga_image_id, "00000000-0000-4000-8000-000000000000")

    for response in (foreign, unknown):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "Ecs.0031"


def test_the_same_pair_only_once(service: RunningService, me: ClientConfig) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    vm = family.add_vm_image(service, me.project_id, "private")
    assert associate(me, fpga_image_id, vm).status_code == 204

    again = associate(me, fpga_image_id, vm)

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "FIS.0303"
    assert "relation already exist" in again.json()["error"]["message"]


def test_only_the_owner_may_disassociate(
    service: RunningService, me: ClientConfig, other: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    vm = family.add_vm_image(service, me.project_id, "private")
    assert associate(me, fpga_image_id, vm).status_code == 204

    response = disassociate(other, fpga_image_id, vm)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "FIS.0305",
        "message": f"tenant [{other.project_id}] is not the owner of fpga image "
        f"[{fpga_image_id}]",
    }
    missing = disassociate(
        me, fpga_image_id, family.add_vm_image(service, me.project_id, "private")
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "FIS.0306"


def test_bad_association_bodies_answer_400(
    service: RunningService, me: ClientConfig
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    for body in ({}, {"image": {}}, {"image": {"id": "NOT-A-UUID"}}, {"image": 5}):
        response = call(me, "POST", f"/{fpga_image_id}/association", body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "Ecs.0005"


# -- the association query ----------------------------------------------------


def test_association_query_rules(service: RunningService, me: ClientConfig) -> None:
    first, second = family.active_images(service, 2)
    vm = family.add_vm_image(service, me.project_id, "private")
    assert associate(me, first, vm).status_code == 204
    assert associate(me, second, vm).status_code == 204

    def query(*pairs: tuple[str, str]) -> dict[str, object]:
        response = call(me, "GET", "/associations", query=list(pairs))
        assert response.status_code == 200, response.text
        return dict(response.json())

    assert query() == {"associations": []}
    by_vm = query(("image_id", vm))["associations"]
    assert [g["image_id"] for g in by_vm] == [vm]  # type: ignore[index,union-attr]
    ids = [i["id"] for i in by_vm[0]["fpgaimages"]]  # type: ignore[index]
    assert ids == [first, second]
    assert all(i["protected"] for i in by_vm[0]["fpgaimages"])  # type: ignore[index]

    paged = query(("image_id", vm), ("page", "2"), ("size", "1"))["associations"]
    assert [i["id"] for i in paged[0]["fpgaimages"]] == [second]  # type: ignore[index]
    both = query(
        ("image_id", vm), ("fpga_image_id", first), ("page", "2"), ("size", "1")
    )["associations"]
    assert [i["id"] for i in both[0]["fpgaimages"]] == [first]  # type: ignore[index]
    by_fpga = query(("fpga_image_id", second))["associations"]
    assert [g["image_id"] for g in by_fpga] == [vm]  # type: ignore[index,union-attr]

    unknown = call(me, "GET", "/associations", query=[("fpga_image_id", "a" * 32)])
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == (
        f"tenant [{me.project_id}] fpga image [{'a' * 32}] doesn't exist"
    )
    lonely_page = call(
        me, "GET", "/associations", query=[("image_id", vm), ("page", "1")]
    )
    assert lonely_page.status_code == 400


# -- races ----------------------------------------------------------------------


def test_association_racing_delete_lets_exactly_one_win(
    service: RunningService, me: ClientConfig
) -> None:
    images = family.active_images(service, 12)
    vm_images = [
        family.add_vm_image(service, me.project_id, "private") for _ in range(2)
    ]

    outcomes = []
    with ThreadPoolExecutor(2) as pool:
        for n, fpga_image_id in enumerate(images):
            vm = vm_images[n % 2]
            a = pool.submit(associate, me, fpga_image_id, vm)
            d = pool.submit(delete, me, fpga_image_id)
            outcomes.append((a.result().status_code, d.result().status_code))
            if a.result().status_code == 204:
                assert disassociate(me, fpga_image_id, vm).status_code == 204

    for associated, deleted in outcomes:
        assert (associated == 204) != (deleted == 204), outcomes
        # A lost association sees the image deleting (400) or already gone
        # (404); a lost delete sees it protected (400).
        assert associated in (204, 400, 404) and deleted in (204, 400)


def test_eleven_concurrent_associations_leave_ten(
    service: RunningService, me: ClientConfig
) -> None:
    images = family.active_images(service, 11)
    vm = family.add_vm_image(service, me.project_id, "private")

    with ThreadPoolExecutor(11) as pool:
        responses = list(pool.map(lambda i: associate(me, i, vm), images))

    codes = sorted(r.status_code for r in responses)
    assert codes == [204] * 10 + [400]
    refused = next(r for r in responses if r.status_code == 400)
    assert refused.json()["error"]["code"] == "FIS.0304"
    listed = call(me, "GET", "/associations", query=[("image_id", vm)]).json()
    assert len(listed["associations"][0]["fpgaimages"]) == 10


# -- the detail list keeps up with every change --------------------------------


def _on_page(config: ClientConfig, fpga_image_id: str) -> dict[str, object] | None:
    """The image as page 1 (size 100) of the detail list shows it, if it does."""
    response = call(config, "GET", "/detail", query=[("page", "1"), ("size", "100")])
    assert response.status_code == 200
    found = [i for i in response.json()["fpgaimages"] if i["id"] == fpga_image_id]
    return found[0] if found else None


def _page_shows(
    config: ClientConfig, fpga_image_id: str, want: dict[str, object] | None
) -> None:
    """Page 1 shows `want` (a subset of the image's fields, None for absent)
    soon; the worker's own steps take a moment, the API's are immediate."""
    deadline = time.monotonic() + 30
    while True:
        image = _on_page(config, fpga_image_id)
        if want is None and image is None:
            return
        if (
            image is not None
            and want is not None
            and all(image.get(k) == v for k, v in want.items())
        ):
            return
        assert time.monotonic() < deadline, f"page 1 shows {image}, not {want}"
        time.sleep(0.05)


def test_a_polled_page_shows_every_change_of_its_images(
    service: RunningService, me: ClientConfig
) -> None:
    """Pages are kept between requests; none may be served after a change."""
    pages = family.second_project(service, "pages")
    service.fis("admin", "grant", pages.project_id, "obs-fpga", check=True)
    service.put_object("obs-fpga", "pages.bin", fpga_files.raw_bin())
    service.put_object("obs-fpga", "pages-empty.bin", b"")
    before = call(pages, "GET", "/detail", query=[("page", "1"), ("size", "100")])
    assert before.json() == {"count": 0, "fpgaimages": []}

    body = {"location": "obs-fpga:pages.bin", "name": "pg", "metadata": {}}
    good = call(pages, "POST", "", {"fpga_image": body}).json()["fpga_image"]["id"]
    assert _on_page(pages, good) is not None  # the insert, at once
    _page_shows(pages, good, {"status": "active", "protected": False})

    body["location"] = "obs-fpga:pages-empty.bin"
    bad = call(pages, "POST", "", {"fpga_image": body}).json()["fpga_image"]["id"]
    _page_shows(pages, bad, {"status": "error"})
    assert "empty" in str(_on_page(pages, bad))

    vm_image = family.add_vm_image(service, pages.project_id, "private")
    by_image = [("image_id", vm_image)]
    by_fpga_image = [("fpga_image_id", good)]
    for query in (by_image, by_fpga_image):  # answers kept before the change
        assert call(pages, "GET", "/associations", query=query).json() == {
            "associations": []
        }
    assert associate(pages, good, vm_image).status_code == 204
    assert _on_page(pages, good)["protected"] is True  # type: ignore[index]
    for query in (by_image, by_fpga_image):
        (group,) = call(pages, "GET", "/associations", query=query).json()[
            "associations"
        ]
        assert group["image_id"] == vm_image
        assert [i["id"] for i in group["fpgaimages"]] == [good]
    assert disassociate(pages, good, vm_image).status_code == 204
    assert _on_page(pages, good)["protected"] is False  # type: ignore[index]
    for query in (by_image, by_fpga_image):
        assert call(pages, "GET", "/associations", query=query).json() == {
            "associations": []
        }

    assert delete(pages, good).status_code == 204
    shown = _on_page(pages, good)
    assert shown is None or shown["status"] == "deleting"
    _page_shows(pages, good, None)
    count = call(pages, "GET", "/detail", query=[("page", "1"), ("size", "100")])
    assert count.json()["count"] == 1
