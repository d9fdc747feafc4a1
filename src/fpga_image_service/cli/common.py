"""What the `fis` commands share: sub-commands, client file, argument checks, tables.

The checks follow the official fisclient 2.2.0, so that a command refused here
would have been refused there too, before any request. The client file helpers
serve `fis bucket-create` as well, and the table printer the admin commands.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

import httpx

from fpga_image_service import settings as settings_module
from fpga_image_service.cli.server import client_file
from fpga_image_service.client import ClientConfig, FisClient
from fpga_image_service.domain.validation import PAGE_MAX, SIZE_MAX

# A string: the class is generic only for type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

CLIENT_FILE_ENV = "FIS_CLIENT_FILE"

SUCCESS_200 = "Success: 200 OK"
SUCCESS_204 = "Success: 204 No Content"

EXAMPLE_FPGA_IMAGE_ID = "4010a32c5c62bad9015c62dc2290002b"
EXAMPLE_IMAGE_ID = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
EXAMPLE_PROJECT_ID = "0123456789abcdef0123456789abcdef"

_JSON_HELP = "print the service's answer as JSON instead of a table"

# fisclient 2.2.0's rules; explicit ASCII classes, since \d admits other
# scripts' digits.
_FPGA_IMAGE_ID = re.compile(r"[0-9a-f]{32}")
_IMAGE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DIGITS = re.compile(r"[0-9]+")


class CommandError(Exception):
    """A command's own check failed; `fis` shows it as one line and exits 1."""


# -- sub-commands ----------------------------------------------------------------


def add_command(
    commands: Commands,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    summary: str,
    description: str,
    example: str,
    *,
    settings_flags: bool = False,
) -> argparse.ArgumentParser:
    """Add sub-command `name` running `handler`; its help ends in `example:`.

    `settings_flags` adds the service's settings flags, for the commands that
    open its database or stores themselves rather than calling the API.
    """
    parser = commands.add_parser(
        name,
        help=summary,
        description=f"{description}\n\nexample: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if settings_flags:
        settings_module.add_arguments(parser)
    parser.set_defaults(handler=handler)
    return parser


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
def api(config: ClientConfig) -> Iterator[FisClient]:
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


def malformed(key: str, value: str, rule: str) -> CommandError:
    """fisclient's wording for a refused parameter, with the rule it broke."""
    if not value:
        return CommandError(f'parameter "{key}" is empty')
    return CommandError(f'parameter "{key}" value ({value}) is malformed: {rule}')


def check_fpga_image_id(value: str) -> str:
    """Return the id if it is 32 lowercase hex digits, as fisclient requires."""
    if not _FPGA_IMAGE_ID.fullmatch(value):
        raise malformed("fpga_image_id", value, "32 lowercase hex digits")
    return value


def check_image_id(value: str) -> str:
    """Return the VM image id if it is a lowercase UUID, as fisclient requires."""
    if not _IMAGE_ID.fullmatch(value):
        raise malformed("image_id", value, f"a lowercase UUID like {EXAMPLE_IMAGE_ID}")
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
        raise malformed("page", page, page_rule)
    size_rule = f"a whole number from 1 to {SIZE_MAX}"
    if not _DIGITS.fullmatch(size) or not 1 <= int(size) <= SIZE_MAX:
        raise malformed("size", size, size_rule)
    return int(page), int(size)


def add_page_and_size_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """Add `--page` and `--size`, checked later by `check_page_and_size`."""
    parser.add_argument(
        "--page",
        default=None,
        metavar="P",
        help=f"page number, 1-{PAGE_MAX}; needs --size",
    )
    parser.add_argument(
        "--size",
        default=None,
        metavar="S",
        help=f"{what} per page, 1-{SIZE_MAX}; needs --page",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--json`, whose output `format_json` writes."""
    parser.add_argument("--json", action="store_true", help=_JSON_HELP)


# -- output --------------------------------------------------------------------


def format_json(answer: object) -> str:
    """The service's answer as `--json` prints it: indented, non-ASCII kept."""
    return json.dumps(answer, indent=2, ensure_ascii=False)


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
