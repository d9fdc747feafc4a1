"""`fis fpga-image-register`, `fpga-image-list` and `fpga-image-wait`.

Client commands that call the HTTP API with a saved key. Their output follows
the official fisclient (`Success: 200 OK`, then fields or a table) and so do
their checks of query arguments; the server stays the judge of the register
body.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from fpga_image_service.cli.common import (
    EXAMPLE_FPGA_IMAGE_ID,
    SUCCESS_200,
    CommandError,
    Commands,
    add_client_file_argument,
    add_command,
    add_json_argument,
    add_page_and_size_arguments,
    api,
    check_fpga_image_id,
    check_page_and_size,
    client_file_path,
    format_cell,
    format_json,
    format_table,
    load_client_config,
    malformed,
)
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.domain.validation import (
    DESCRIPTION_MAX_LENGTH,
    METADATA_MAX_LENGTH,
)

#: The columns of fisclient's `fpga-image-list` table, in its order.
LIST_COLUMNS = (
    "id",
    "name",
    "status",
    "protected",
    "size",
    "createdAt",
    "description",
    "metadata",
    "message",
)

POLL_SECONDS = 0.5
DEFAULT_WAIT_SECONDS = 600.0
EXIT_TIMED_OUT = 2


# -- argument checks -----------------------------------------------------------


def parse_metadata(text: str) -> dict[str, Any]:
    """The --metadata JSON object; its size and content are the server's to judge."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise malformed("metadata", text, f"not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise malformed("metadata", text, 'must be a JSON object like {"k": "v"}')
    return value


def check_timeout(text: str) -> float:
    """--timeout as a finite, non-negative number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise malformed("timeout", text, "a non-negative number of seconds")
    return seconds


def format_fields(image: Mapping[str, object]) -> str:
    """One image as `field: value` lines in the table's column order."""
    return "\n".join(
        f"{column}: {format_cell(image.get(column))}".rstrip()
        for column in LIST_COLUMNS
    )


# -- waiting -------------------------------------------------------------------


def wait_for_image(
    fetch: Callable[[], dict[str, Any] | None],
    fpga_image_id: str,
    timeout: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll until the image is active, then return it; past `timeout`, return
    the last answer. An image in error, being deleted or gone is a CommandError.
    """
    deadline = clock() + timeout
    while True:
        image = fetch()
        if image is None:
            raise CommandError(f"no FPGA image has the id {fpga_image_id}")
        status = image.get("status")
        if status == FpgaImageStatus.ACTIVE:
            return image
        if status == FpgaImageStatus.ERROR:
            message = format_cell(image.get("message")) or "no message given"
            raise CommandError(f"FPGA image {fpga_image_id} is in error: {message}")
        if status == FpgaImageStatus.DELETING:
            raise CommandError(f"FPGA image {fpga_image_id} is being deleted")

        remaining = deadline - clock()
        if remaining <= 0:
            return image
        sleep(min(POLL_SECONDS, remaining))


# -- the commands ----------------------------------------------------------------


def add_commands(commands: Commands) -> None:
    _add_register(commands)
    _add_list(commands)
    _add_wait(commands)


def _add_register(commands: Commands) -> None:
    register = add_command(
        commands,
        "fpga-image-register",
        run_register,
        "register an FPGA logic file that is in a bucket",
        "Register an FPGA logic file that is already in a bucket granted to your "
        "project. The service copies and checks it in the background; follow it "
        "with `fis fpga-image-wait ID`.",
        "fis fpga-image-register --location obs-fpga:pr_ul.bin --name my-image "
        '--metadata \'{"shell_type": "0x101"}\'',
    )
    register.add_argument(
        "--location",
        required=True,
        metavar="BUCKET:FILE",
        help="the bucket and object key of the logic file (.bin or .xclbin)",
    )
    register.add_argument(
        "--name",
        required=True,
        metavar="NAME",
        help="image name: 1-64 letters, digits, '-' and '_'",
    )
    register.add_argument(
        "--metadata",
        required=True,
        metavar="JSON",
        help=f"a JSON object of at most {METADATA_MAX_LENGTH} characters "
        "describing the image",
    )
    register.add_argument(
        "--description",
        default=None,
        metavar="TEXT",
        help=f"free text of at most {DESCRIPTION_MAX_LENGTH} characters",
    )
    add_client_file_argument(register)


def _add_list(commands: Commands) -> None:
    listing = add_command(
        commands,
        "fpga-image-list",
        run_list,
        "list your project's FPGA images",
        "List the FPGA images of your project, or one image by id.",
        "fis fpga-image-list --page 1 --size 20",
    )
    listing.add_argument(
        "--fpga-image-id",
        default=None,
        metavar="ID",
        help="show only this image (32 lowercase hex digits)",
    )
    add_page_and_size_arguments(listing, "images")
    add_json_argument(listing)
    add_client_file_argument(listing)


def _add_wait(commands: Commands) -> None:
    wait = add_command(
        commands,
        "fpga-image-wait",
        run_wait,
        "wait until an FPGA image is active or in error",
        f"Poll an FPGA image every {POLL_SECONDS:g} s. Exit 0 and print it once "
        "it is active, exit 1 with its message if it ends in error, exit "
        f"{EXIT_TIMED_OUT} if the timeout passes first.",
        f"fis fpga-image-wait {EXAMPLE_FPGA_IMAGE_ID} --timeout 60",
    )
    wait.add_argument(
        "fpga_image_id",
        metavar="ID",
        help="the image to wait for (32 lowercase hex digits)",
    )
    wait.add_argument(
        "--timeout",
        default=str(DEFAULT_WAIT_SECONDS),
        metavar="SECONDS",
        help=f"give up after this many seconds (default {DEFAULT_WAIT_SECONDS:g})",
    )
    add_client_file_argument(wait)


def run_register(args: argparse.Namespace) -> int:
    metadata = parse_metadata(args.metadata)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        created = client.register(args.location, args.name, metadata, args.description)

    print(SUCCESS_200)
    print(f"id: {format_cell(created.get('id'))}")
    print(f"status: {format_cell(created.get('status'))}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    fpga_image_id = args.fpga_image_id
    if fpga_image_id is not None:
        check_fpga_image_id(fpga_image_id)
    page, size = check_page_and_size(args.page, args.size)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        answer = client.list_images(fpga_image_id, page, size)
    images = answer.get("fpgaimages") if isinstance(answer, dict) else None
    if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
        raise CommandError(
            f"the service at {config.endpoint} answered without a list of images"
        )

    if args.json:
        print(format_json(answer))
        return 0
    print(SUCCESS_200)
    print(format_table(LIST_COLUMNS, images))
    return 0


def run_wait(args: argparse.Namespace) -> int:
    fpga_image_id = check_fpga_image_id(args.fpga_image_id)
    timeout = check_timeout(args.timeout)
    config = load_client_config(client_file_path(args))

    with api(config) as client:
        image = wait_for_image(
            lambda: client.get(fpga_image_id), fpga_image_id, timeout
        )

    if image.get("status") != FpgaImageStatus.ACTIVE:
        print(
            f"Error: FPGA image {fpga_image_id} is still "
            f"{format_cell(image.get('status'))} after {timeout:g} s",
            file=sys.stderr,
        )
        return EXIT_TIMED_OUT
    print(SUCCESS_200)
    print(format_fields(image))
    return 0
