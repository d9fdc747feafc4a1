"""The embedded image catalog on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fpga_image_service.catalog import LocalImageCatalog, Visibility, VmImage
from fpga_image_service.catalog.factory import open_catalog
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate

PROJECT_A = "a" * 32
PROJECT_B = "b" * 32
IMAGE_1 = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
IMAGE_2 = "89e38a0a-de83-4f3d-83b9-a2df2c605487"
IMAGE_3 = "0b7c2f4e-3c1d-4a55-9d0e-6f1e2a3b4c5d"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def catalog(db: Database) -> LocalImageCatalog:
    return LocalImageCatalog(db)


def test_added_image_is_found_with_owner_visibility_and_name(
    catalog: LocalImageCatalog,
) -> None:
    image = VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE, "ubuntu-fpga")

    catalog.add(image)

    assert catalog.get(IMAGE_1) == image


def test_every_visibility_is_kept(catalog: LocalImageCatalog) -> None:
    ids = [IMAGE_1, IMAGE_2, IMAGE_3, "c0ffee00-0000-4000-8000-000000000000"]
    for image_id, visibility in zip(ids, Visibility, strict=True):
        catalog.add(VmImage(image_id, PROJECT_A, visibility))

    found = [catalog.get(i) for i in ids]

    assert [i.visibility if i else None for i in found] == list(Visibility)


def test_unknown_image_is_none(catalog: LocalImageCatalog) -> None:
    catalog.add(VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE))

    assert catalog.get(IMAGE_2) is None


def test_get_of_a_non_uuid_is_none(catalog: LocalImageCatalog) -> None:
    catalog.add(VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE))

    assert catalog.get(IMAGE_1.upper()) is None
    assert catalog.get("not-an-image") is None


def test_add_refuses_an_id_that_exists_and_keeps_the_first(
    catalog: LocalImageCatalog,
) -> None:
    first = VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE, "first")
    catalog.add(first)

    with pytest.raises(InvalidParameter, match="already exists"):
        catalog.add(VmImage(IMAGE_1, PROJECT_B, Visibility.PUBLIC, "second"))

    assert catalog.get(IMAGE_1) == first


@pytest.mark.parametrize(
    "bad_id",
    [
        IMAGE_1.upper(),
        IMAGE_1.replace("-", ""),
        IMAGE_1 + "\n",
        "{" + IMAGE_1 + "}",
        IMAGE_1[:-1] + "g",
        "",
    ],
)
def test_add_refuses_an_id_that_is_not_a_lowercase_uuid(
    catalog: LocalImageCatalog, bad_id: str
) -> None:
    with pytest.raises(InvalidParameter, match="lowercase UUID"):
        catalog.add(VmImage(bad_id, PROJECT_A, Visibility.PRIVATE))

    assert catalog.list() == []


def test_add_refuses_an_empty_owner(catalog: LocalImageCatalog) -> None:
    with pytest.raises(InvalidParameter, match="owner"):
        catalog.add(VmImage(IMAGE_1, "", Visibility.PRIVATE))

    assert catalog.list() == []


def test_add_refuses_an_unknown_visibility(catalog: LocalImageCatalog) -> None:
    image = VmImage(IMAGE_1, PROJECT_A, "hidden")  # type: ignore[arg-type]

    with pytest.raises(InvalidParameter, match="visibility"):
        catalog.add(image)

    assert catalog.list() == []


def test_add_accepts_a_visibility_given_as_its_string(
    catalog: LocalImageCatalog,
) -> None:
    catalog.add(VmImage(IMAGE_1, PROJECT_A, "shared"))  # type: ignore[arg-type]

    found = catalog.get(IMAGE_1)

    assert found is not None
    assert found.visibility is Visibility.SHARED


def test_list_gives_every_image_oldest_first(catalog: LocalImageCatalog) -> None:
    # Added in an order unlike the ids' order, so that sorting by id would fail.
    images = [
        VmImage(IMAGE_2, PROJECT_A, Visibility.PRIVATE, "one"),
        VmImage(IMAGE_1, PROJECT_B, Visibility.SHARED, "two"),
        VmImage(IMAGE_3, PROJECT_A, Visibility.PUBLIC, "three"),
    ]
    for image in images:
        catalog.add(image)

    assert catalog.list() == images


def test_list_with_an_owner_gives_only_that_projects_images(
    catalog: LocalImageCatalog,
) -> None:
    a1 = VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE)
    b1 = VmImage(IMAGE_2, PROJECT_B, Visibility.PRIVATE)
    a2 = VmImage(IMAGE_3, PROJECT_A, Visibility.COMMUNITY)
    for image in (a1, b1, a2):
        catalog.add(image)

    assert catalog.list(owner=PROJECT_A) == [a1, a2]
    assert catalog.list(owner=PROJECT_B) == [b1]
    assert catalog.list(owner="c" * 32) == []


def test_remove_forgets_the_image_and_reports_whether_it_existed(
    catalog: LocalImageCatalog,
) -> None:
    catalog.add(VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE))
    catalog.add(VmImage(IMAGE_2, PROJECT_A, Visibility.PRIVATE))

    assert catalog.remove(IMAGE_1) is True
    assert catalog.remove(IMAGE_1) is False

    assert catalog.get(IMAGE_1) is None
    assert [i.id for i in catalog.list()] == [IMAGE_2]


def test_removed_id_can_be_added_again(catalog: LocalImageCatalog) -> None:
    catalog.add(VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE))
    catalog.remove(IMAGE_1)

    catalog.add(VmImage(IMAGE_1, PROJECT_B, Visibility.SHARED))

    assert catalog.get(IMAGE_1) == VmImage(IMAGE_1, PROJECT_B, Visibility.SHARED)


def test_open_catalog_local_reads_the_services_database(db: Database) -> None:
    LocalImageCatalog(db).add(VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE))

    catalog = open_catalog("local", db, glance_endpoint="", glance_token="")

    assert isinstance(catalog, LocalImageCatalog)
    assert catalog.get(IMAGE_1) == VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE)
