"""`fis admin-vm-image-*`: the operator's commands for the embedded VM image catalog.

They add, remove and list the VM images that FPGA images can be associated
with when the service keeps its own image catalog. Like `fis admin`, they work
on the database the settings name, without the HTTP API, and bring its schema
up to date first.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from fpga_image_service import settings as settings_module
from fpga_image_service.catalog.base import Visibility, VmImage
from fpga_image_service.catalog.local import LocalImageCatalog
from fpga_image_service.cli.common import (
    EXAMPLE_IMAGE_ID,
    EXAMPLE_PROJECT_ID,
    Commands,
    add_command,
    format_table,
)
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.settings import Settings

_VISIBILITIES = tuple(v.value for v in Visibility)
_COLUMNS = ("id", "owner", "visibility", "name")


@contextlib.contextmanager
def open_local_catalog(settings: Settings) -> Iterator[LocalImageCatalog]:
    """The embedded catalog on a migrated database, closed on leaving."""
    db = open_database(settings.effective_database_url)
    try:
        migrate(db)
        yield LocalImageCatalog(db)
    finally:
        db.close()


def add_commands(commands: Commands) -> None:
    add = add_command(
        commands,
        "admin-vm-image-add",
        run_add,
        "add a VM image to the embedded image catalog",
        "Add a VM image to the service's own image catalog, so that FPGA images "
        "can be associated with it. Only private VM images accept associations.",
        f"fis admin-vm-image-add --id {EXAMPLE_IMAGE_ID} "
        f"--owner {EXAMPLE_PROJECT_ID} --visibility private --name ubuntu-fpga",
        settings_flags=True,
    )
    add.add_argument(
        "--id",
        required=True,
        metavar="UUID",
        help="the VM image's id, a lowercase UUID as Glance and ECS write them",
    )
    add.add_argument(
        "--owner",
        required=True,
        metavar="PROJECT_ID",
        help="the id of the project that owns the VM image "
        "(as `fis admin projects` shows)",
    )
    add.add_argument(
        "--visibility",
        required=True,
        choices=_VISIBILITIES,
        help="who may use the VM image: " + ", ".join(_VISIBILITIES),
    )
    add.add_argument(
        "--name", default="", metavar="NAME", help="a name to show (default: none)"
    )

    remove = add_command(
        commands,
        "admin-vm-image-remove",
        run_remove,
        "remove a VM image from the embedded image catalog",
        "Remove a VM image from the service's own image catalog.",
        f"fis admin-vm-image-remove {EXAMPLE_IMAGE_ID}",
        settings_flags=True,
    )
    remove.add_argument("id", metavar="ID", help="the VM image's id (a UUID)")

    listing = add_command(
        commands,
        "admin-vm-image-list",
        run_list,
        "list the VM images of the embedded image catalog",
        "List the VM images of the service's own image catalog, oldest first.",
        f"fis admin-vm-image-list --owner {EXAMPLE_PROJECT_ID}",
        settings_flags=True,
    )
    listing.add_argument(
        "--owner",
        default=None,
        metavar="PROJECT_ID",
        help="list only the VM images this project owns",
    )


def run_add(args: argparse.Namespace) -> int:
    image = VmImage(
        id=args.id,
        owner=args.owner,
        visibility=Visibility(args.visibility),
        name=args.name,
    )
    with open_local_catalog(settings_module.load(args)) as catalog:
        catalog.add(image)

    print(
        f"added VM image {image.id} (owner {image.owner}, "
        f"visibility {image.visibility})"
    )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with open_local_catalog(settings_module.load(args)) as catalog:
        removed = catalog.remove(args.id)

    if not removed:
        raise InvalidParameter(f"no VM image has the id {args.id!r}")
    print(f"removed VM image {args.id}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_local_catalog(settings_module.load(args)) as catalog:
        images = catalog.list(args.owner)

    rows = [
        {"id": i.id, "owner": i.owner, "visibility": i.visibility, "name": i.name}
        for i in images
    ]
    print(format_table(_COLUMNS, rows))
    return 0
