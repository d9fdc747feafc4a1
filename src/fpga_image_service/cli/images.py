"""`fis fpga-image-*`: client commands that call the HTTP API with a saved key.

Their output follows the official fisclient (`Success: 200 OK`, then fields or
a table) and so do their checks of query arguments; the server stays the judge
of the register body. The client file helpers here serve `fis bucket-create`
too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from fpga_image_service import settings as settings_module
from fpga_image_service.cli.server import client_file
from fpga_image_service.client import ClientConfig, FisClient
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.domain.validation import (
    DESCRIPTION_MAX_LENGTH,
    METADATA_MAX_LENGTH,
    PAGE_MAX,
    SIZE_MAX,
)

CLIENT_FILE_ENV = "FIS_CLIENT_FILE"

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

# fisclient 2.2.0's query rules; explicit ASCII classes, since \d admits other
# scripts' digits.
_FPGA_IMAGE_ID = re.compile(r"[0-9a-f]{32}")
_DIGITS = re.compile(r"[0-9]+")

_SUCCESS = "Success: 200 OK"


class CommandError(Exception):
    """A command's own check failed; `fis` shows it as one line and exits 1."""


# -- the client file ---------------------------------------------------------


def add_client_file_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--client-file`, resolved later by `client_file_path`."""
    parser.add_argument(
        "--client-file",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"endpoint, project and key pair to use (env {CLIENT_FILE_ENV}, "
        "default client.json in the data folder, which the first `fis serve` "
        "writes)",
    )


def client_file_path(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> Path:
    """The flag, else FIS_CLIENT_FILE, else client.json in the data folder."""
    environ = os.environ if environ is None else environ
    flag: Path | None = getattr(args, "client_file", None)
    if flag is not None:
        return flag
    if environ.get(CLIENT_FILE_ENV):
        return Path(environ[CLIENT_FILE_ENV])
    return client_file(settings_module.load(args, environ))


def load_client_config(path: Path) -> ClientConfig:
    """Read the client file; a missing or unreadable one is a CommandError."""
    if not path.is_file():
        raise CommandError(
            f"no client credentials at {path}; start the service once with "
            "`fis serve` or pass --client-file"
        )
    try:
        return ClientConfig.load(path)
    except (OSError, ValueError, TypeError) as exc:
        raise CommandError(f"cannot read the client file {path}: {exc}") from exc


@contextlib.contextmanager
def _api(config: ClientConfig) -> Iterator[FisClient]:
    """A client whose transport failures and odd answers become CommandErrors."""
    where = config.endpoint
    try:
        with FisClient(config) as client:
            yield client
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise CommandError(f"cannot reach the service at {where}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"the service at {where} did not answer JSON") from exc
    except (KeyError, TypeError) as exc:
        raise CommandError(
            f"the service at {where} answered in an unexpected shape: {exc!r}"
        ) from exc


# -- argument checks -----------------------------------------------------------


def _malformed(key: str, value: str, rule: str) -> CommandError:
    if not value:
        return CommandError(f'parameter "{key}" is empty')
    return CommandError(f'parameter "{key}" value ({value}) is malformed: {rule}')


def check_fpga_image_id(value: str) -> str:
    """Return the id if it is 32 lowercase hex digits, as fisclient requires."""
    if not _FPGA_IMAGE_ID.fullmatch(value):
        raise _malformed("fpga_image_id", value, "32 lowercase hex digits")
    return value


def check_page_and_size(
    page: str | None, size: str | None
) -> tuple[int | None, int | None]:
    """Both or neither; page 1-65534 and size 1-100, as fisclient requires."""
    if (page is None) != (size is None):
        raise CommandError(
            "argument --page and --size must exist or not exist at the same time"
        )
    if page is None or size is None:
        return None, None

    page_rule = f"a whole number from 1 to {PAGE_MAX}"
    if not _DIGITS.fullmatch(page) or not 1 <= int(page) <= PAGE_MAX:
        raise _malformed("page", page, page_rule)
    size_rule = f"a whole number from 1 to {SIZE_MAX}"
    if not _DIGITS.fullmatch(size) or not 1 <= int(size) <= SIZE_MAX:
        raise _malformed("size", size, size_rule)
    return int(page), int(size)


def parse_metadata(text: str) -> dict[str, Any]:
    """The --metadata JSON object; its size and content are the server's to judge."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _malformed("metadata", text, f"not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise _malformed("metadata", text, 'must be a JSON object like {"k": "v"}')
    return value


def check_timeout(text: str) -> float:
    """--timeout as a finite, non-negative number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise _malformed("timeout", text, "a non-negative number of seconds")
    return seconds


# -- output --------------------------------------------------------------------


def format_cell(value: object) -> str:
    """One table cell as fisclient prints it: objects as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    # A line break inside a cell would tear the table apart.
    return " ".join(text.splitlines())


def display_width(text: str) -> int:
    """Terminal columns: CJK ideographs take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def format_table(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A header and one line per row, columns left-aligned two spaces apart."""
    records = [list(columns)]
    records += [[format_cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max(display_width(cell) for cell in cells)
        for cells in zip(*records, strict=True)
    ]

    lines = []
    for record in records:
        padded = [
            cell + " " * (width - display_width(cell))
            for cell, width in zip(record, widths, strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_register(commands)
    _add_list(commands)
    _add_wait(commands)


def _add_register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    register = commands.add_parser(
        "fpga-image-register",
        help="register an FPGA logic file that is in a bucket",
        description="Register an FPGA logic file that is already in a bucket "
        "granted to your project. The service copies and checks it in the "
        "background; follow it with `fis fpga-image-wait ID`.\n\n"
        "example: fis fpga-image-register --location obs-fpga:pr_ul.bin "
        '--name my-image --metadata \'{"shell_type": "0x101"}\'',
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    register.set_defaults(handler=run_register)


def _add_list(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = commands.add_parser(
        "fpga-image-list",
        help="list your project's FPGA images",
        description="List the FPGA images of your project, or one image by id.\n\n"
        "example: fis fpga-image-list --page 1 --size 20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument(
        "--fpga-image-id",
        default=None,
        metavar="ID",
        help="show only this image (32 lowercase hex digits)",
    )
    listing.add_argument(
        "--page",
        default=None,
        metavar="P",
        help=f"page number, 1-{PAGE_MAX}; needs --size",
    )
    listing.add_argument(
        "--size",
        default=None,
        metavar="S",
        help=f"images per page, 1-{SIZE_MAX}; needs --page",
    )
    listing.add_argument(
        "--json",
        action="store_true",
        help="print the service's answer as JSON instead of a table",
    )
    add_client_file_argument(listing)
    listing.set_defaults(handler=run_list)


def _add_wait(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    wait = commands.add_parser(
        "fpga-image-wait",
        help="wait until an FPGA image is active or in error",
        description="Poll an FPGA image every "
        f"{POLL_SECONDS:g} s. Exit 0 and print it once it is active, exit 1 "
        f"with its message if it ends in error, exit {EXIT_TIMED_OUT} if the "
        "timeout passes first.\n\n"
        "example: fis fpga-image-wait 4010a32c5c62bad9015c62dc2290002b --timeout 60",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    wait.set_defaults(handler=run_wait)


def run_register(args: argparse.Namespace) -> int:
    metadata = parse_metadata(args.metadata)
    config = load_client_config(client_file_path(args))

    with _api(config) as client:
        created = client.register(args.location, args.name, metadata, args.description)

    print(_SUCCESS)
    print(f"id: {format_cell(created.get('id'))}")
    print(f"status: {format_cell(created.get('status'))}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    fpga_image_id = args.fpga_image_id
    if fpga_image_id is not None:
        check_fpga_image_id(fpga_image_id)
    page, size = check_page_and_size(args.page, args.size)
    config = load_client_config(client_file_path(args))

    with _api(config) as client:
        answer = client.list_images(fpga_image_id, page, size)
    images = answer.get("fpgaimages") if isinstance(answer, dict) else None
    if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
        raise CommandError(
            f"the service at {config.endpoint} answered without a list of images"
        )

    if args.json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return 0
    print(_SUCCESS)
    print(format_table(LIST_COLUMNS, images))
    return 0


def run_wait(args: argparse.Namespace) -> int:
    fpga_image_id = check_fpga_image_id(args.fpga_image_id)
    timeout = check_timeout(args.timeout)
    config = load_client_config(client_file_path(args))

    with _api(config) as client:
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
    print(_SUCCESS)
    print(format_fields(image))
    return 0
