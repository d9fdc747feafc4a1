"""The `fis` command: one sub-command per verb."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fpga_image_service import __version__
from fpga_image_service.cli import (
    admin,
    buckets,
    deletion,
    images,
    relations,
    server,
    vm_images,
)
from fpga_image_service.cli.common import CommandError
from fpga_image_service.client import ApiError
from fpga_image_service.errors import FisError
from fpga_image_service.settings import SettingsError
from fpga_image_service.storage import StorageError


class UserError(Exception):
    """A mistake of the user's, shown as one line without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fis",
        description="FPGA Image Service: run the service, administer it, and call "
        "its API.",
    )
    parser.add_argument("--version", action="version", version=f"fis {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    server.add_commands(commands)
    admin.add_commands(commands)
    buckets.add_commands(commands)
    images.add_commands(commands)
    deletion.add_commands(commands)
    relations.add_commands(commands)
    vm_images.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except ApiError as exc:
        print(f"Error: {exc.status} {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except (FisError, SettingsError, UserError, CommandError, StorageError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
