"""What every client sub-command of `fis` offers: help on options, an example."""

from __future__ import annotations

import argparse

import pytest

from fpga_image_service.cli.main import build_parser


def _sub_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _sub_parsers(sub).items()})
    return found


CLIENT_COMMANDS = [
    "admin",
    "admin project-create",
    "admin key-create",
    "admin projects",
    "admin grant",
    "admin revoke",
    "admin grants",
    "bucket-create",
    "bucket-put",
    "bucket-list",
    "fpga-image-register",
    "fpga-image-list",
    "fpga-image-wait",
    "fpga-image-delete",
    "fpga-image-relation-create",
    "fpga-image-relation-delete",
    "fpga-image-relation-list",
]


@pytest.mark.parametrize("command", CLIENT_COMMANDS)
def test_every_command_has_an_example_and_help_on_every_option(command: str) -> None:
    parser = _sub_parsers(build_parser())[command]

    assert "\nexample: fis " in (parser.description or "")
    for action in parser._actions:
        assert action.help, f"{command} {action.dest} has no help"
