"""`fis fpga-image-delete`: delete an FPGA image, after asking unless --force.

The question and its wording are fisclient's, so that scripts written for it
(`echo yes | fis fpga-image-delete ...`) keep working.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from fpga_image_service.cli.common import (
    EXAMPLE_FPGA_IMAGE_ID,
    SUCCESS_204,
    Commands,
    add_client_file_argument,
    add_command,
    api,
    check_fpga_image_id,
    client_file_path,
    load_client_config,
)

QUESTION = "Deleted fpga-image cannot be restored! Are you absolutely sure? (yes/no): "
ASK_AGAIN = "please input yes or no: "
CANCELLED = "cancel fpga-image-delete"


def confirm_delete(stdin: TextIO, stdout: TextIO) -> bool:
    """Ask until the answer is `yes` or `no`; True for yes. End of input is no."""
    interactive = stdin.isatty()
    prompt = QUESTION
    while True:
        stdout.write(prompt)
        stdout.flush()
        line = stdin.readline()
        # A terminal echoes the answer and its line break; a pipe shows
        # nothing, and neither ends the line at end of input.
        if not interactive or not line:
            stdout.write("\n")

        if not line:
            return False
        answer = line.strip()
        if answer in ("yes", "no"):
            return answer == "yes"
        prompt = ASK_AGAIN


def add_commands(commands: Commands) -> None:
    delete = add_command(
        commands,
        "fpga-image-delete",
        run_delete,
        "delete one of your project's FPGA images",
        "Delete an FPGA image of your project. An image associated with a VM "
        "image is protected and cannot be deleted until every association is "
        "removed (`fis fpga-image-relation-delete`). Without --force, asks for "
        "`yes` first, on the terminal or from standard input; end of input counts "
        "as `no`.",
        f"fis fpga-image-delete --fpga-image-id {EXAMPLE_FPGA_IMAGE_ID}",
    )
    delete.add_argument(
        "--fpga-image-id",
        required=True,
        metavar="ID",
        help="the image to delete (32 lowercase hex digits)",
    )
    delete.add_argument(
        "--force",
        action="store_true",
        help="delete without asking for confirmation",
    )
    add_client_file_argument(delete)


def run_delete(args: argparse.Namespace) -> int:
    fpga_image_id = check_fpga_image_id(args.fpga_image_id)
    config = load_client_config(client_file_path(args))

    if not args.force and not confirm_delete(sys.stdin, sys.stdout):
        print(CANCELLED)
        return 0

    with api(config) as client:
        client.delete(fpga_image_id)
    print(SUCCESS_204)
    return 0
