"""`fis fpga-image-relation-create`, `-delete` and `-list`: associations.

An association ties an FPGA image to a private VM image of the same project
and protects the FPGA image from deletion while it lasts. The commands print
what fisclient prints: `Success: 204 No Content`, or `Success: 200 OK` and a
table with one row per (VM image, FPGA image) pair.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from fpga_image_service.cli.common import (
    EXAMPLE_FPGA_IMAGE_ID,
    EXAMPLE_IMAGE_ID,
    SUCCESS_200,
    SUCCESS_204,
    CommandError,
    Commands,
    add_client_file_argument,
    add_command,
    add_json_argument,
    add_page_and_size_arguments,
    api,
    check_fpga_image_id,
    check_image_id,
    check_page_and_size,
    client_file_path,
    format_json,
    format_table,
    load_client_config,
)

#: The columns of fisclient's `fpga-image-relation-list` table, in its order.
RELATION_COLUMNS = (
    "image_id",
    "fpga_image_id",
    "name",
    "status",
    "protected",
    "size",
    "createdAt",
    "description",
    "metadata",
    "message",
)

NO_FILTER_TIP = (
    "Tip: give --image-id, --fpga-image-id or both; without either the service "
    "answers with an empty list."
)

_FPGA_IMAGE_ID_HELP = "the FPGA image (32 lowercase hex digits)"
_IMAGE_ID_HELP = "the VM image (a lowercase UUID)"


def relation_rows(answer: object, where: str) -> list[dict[str, object]]:
    """One row per (VM image, FPGA image) pair of an association query answer."""
    groups = answer.get("associations") if isinstance(answer, dict) else None
    if not isinstance(groups, list):
        raise CommandError(f"the service at {where} answered without associations")

    rows: list[dict[str, object]] = []
    for group in groups:
        images = group.get("fpgaimages") if isinstance(group, dict) else None
        if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
            raise CommandError(
                f"the service at {where} answered an association without images"
            )
        for image in images:
            row: dict[str, object] = dict(image)
            row["image_id"] = group.get("image_id")
            row["fpga_image_id"] = image.get("id")
            rows.append(row)
    return rows


# -- the commands ----------------------------------------------------------------


def add_commands(commands: Commands) -> None:
    _add_change(
        commands,
        "fpga-image-relation-create",
        run_create,
        "associate an FPGA image with a VM image",
        "Associate an FPGA image of your project with a private VM image of "
        "your project. While associated, the FPGA image is protected from "
        "deletion.",
    )
    _add_change(
        commands,
        "fpga-image-relation-delete",
        run_delete,
        "remove the association of an FPGA image and a VM image",
        "Remove the association of an FPGA image with a VM image. Once its last "
        "association is gone, the FPGA image can be deleted again.",
    )
    _add_list(commands)


def _add_change(
    commands: Commands,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    summary: str,
    description: str,
) -> None:
    example = (
        f"fis {name} --fpga-image-id {EXAMPLE_FPGA_IMAGE_ID} "
        f"--image-id {EXAMPLE_IMAGE_ID}"
    )
    parser = add_command(commands, name, handler, summary, description, example)
    parser.add_argument(
        "--fpga-image-id", required=True, metavar="ID", help=_FPGA_IMAGE_ID_HELP
    )
    parser.add_argument(
        "--image-id", required=True, metavar="UUID", help=_IMAGE_ID_HELP
    )
    add_client_file_argument(parser)


def _add_list(commands: Commands) -> None:
    listing = add_command(
        commands,
        "fpga-image-relation-list",
        run_list,
        "list the associations of FPGA images and VM images",
        "List the associations of your project's FPGA images with VM images, "
        "filtered by VM image, by FPGA image or both. Without either filter the "
        "service answers with an empty list.",
        f"fis fpga-image-relation-list --image-id {EXAMPLE_IMAGE_ID}",
    )
    listing.add_argument(
        "--image-id",
        default=None,
        metavar="UUID",
        help="only the associations of this VM image (a lowercase UUID)",
    )
    listing.add_argument(
        "--fpga-image-id",
        default=None,
        metavar="ID",
        help="only the associations of this FPGA image (32 lowercase hex digits)",
    )
    add_page_and_size_arguments(listing, "FPGA images")
    add_json_argument(listing)
    add_client_file_argument(listing)


def run_create(args: argparse.Namespace) -> int:
    fpga_image_id = check_fpga_image_id(args.fpga_image_id)
    image_id = check_image_id(args.image_id)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        client.associate(fpga_image_id, image_id)
    print(SUCCESS_204)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    fpga_image_id = check_fpga_image_id(args.fpga_image_id)
    image_id = check_image_id(args.image_id)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        client.disassociate(fpga_image_id, image_id)
    print(SUCCESS_204)
    return 0


def run_list(args: argparse.Namespace) -> int:
    image_id = None if args.image_id is None else check_image_id(args.image_id)
    fpga_image_id = args.fpga_image_id
    if fpga_image_id is not None:
        check_fpga_image_id(fpga_image_id)
    page, size = check_page_and_size(args.page, args.size)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        answer = client.associations(image_id, fpga_image_id, page, size)
    rows = relation_rows(answer, config.endpoint)
    unfiltered = image_id is None and fpga_image_id is None

    if args.json:
        print(format_json(answer))
        # Standard output stays pure JSON for whatever reads it.
        if unfiltered:
            print(NO_FILTER_TIP, file=sys.stderr)
        return 0
    print(SUCCESS_200)
    print(format_table(RELATION_COLUMNS, rows))
    if unfiltered:
        print(NO_FILTER_TIP)
    return 0
