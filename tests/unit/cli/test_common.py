"""The shared pieces of the client commands: table, argument checks, client file."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from fpga_image_service.cli.common import (
    CommandError,
    add_command,
    add_json_argument,
    check_fpga_image_id,
    check_image_id,
    check_page_and_size,
    client_file_path,
    display_width,
    format_cell,
    format_json,
    format_table,
    load_client_config,
)
from fpga_image_service.cli.images import LIST_COLUMNS

IMAGE_ID = "4010a32c5c62bad9015c62dc2290002b"
VM_IMAGE_ID = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"


def _handler(args: argparse.Namespace) -> int:
    return 0


def _parent_and_command(
    *, settings_flags: bool = False
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parent = argparse.ArgumentParser(prog="fis")
    commands = parent.add_subparsers(dest="command")
    command = add_command(
        commands,
        "thing-make",
        _handler,
        "make a thing",
        "Make a thing.\nSecond line kept as written.",
        "fis thing-make --fast",
        settings_flags=settings_flags,
    )
    return parent, command


# -- sub-commands ------------------------------------------------------------------


def test_command_description_ends_in_its_example_after_a_blank_line() -> None:
    _, command = _parent_and_command()

    assert command.description == (
        "Make a thing.\nSecond line kept as written.\n\nexample: fis thing-make --fast"
    )
    assert "written.\n\nexample: fis thing-make --fast\n" in command.format_help()


def test_command_summary_is_listed_by_the_parent() -> None:
    parent, _ = _parent_and_command()

    assert "make a thing" in parent.format_help()


def test_command_runs_its_handler() -> None:
    parent, _ = _parent_and_command()

    assert parent.parse_args(["thing-make"]).handler is _handler


def test_command_takes_settings_flags_when_asked() -> None:
    parent, _ = _parent_and_command(settings_flags=True)

    args = parent.parse_args(["thing-make", "--data-dir", "/data"])

    assert args.data_dir == "/data"


def test_command_refuses_settings_flags_unless_asked() -> None:
    parent, _ = _parent_and_command()

    with pytest.raises(SystemExit):
        parent.parse_args(["thing-make", "--data-dir", "/data"])


def test_json_flag_is_off_unless_given() -> None:
    parser = argparse.ArgumentParser()
    add_json_argument(parser)

    assert parser.parse_args([]).json is False
    assert parser.parse_args(["--json"]).json is True


def test_json_output_is_indented_and_keeps_non_ascii_text() -> None:
    assert format_json({"name": "中", "n": [1]}) == (
        '{\n  "name": "中",\n  "n": [\n    1\n  ]\n}'
    )


# -- the table printer -----------------------------------------------------------


def test_cell_prints_null_as_empty_and_objects_as_json_in_their_order() -> None:
    assert format_cell(None) == ""
    assert format_cell({"b": 1, "a": "中"}) == '{"b": 1, "a": "中"}'
    assert format_cell(["x"]) == '["x"]'


def test_cell_prints_booleans_and_numbers_as_python_does() -> None:
    assert format_cell(False) == "False"
    assert format_cell(45) == "45"


def test_cell_joins_lines_so_the_table_stays_one_line_per_row() -> None:
    assert format_cell("copy failed\nretry later") == "copy failed retry later"


def test_table_aligns_columns_two_spaces_apart_without_trailing_blanks() -> None:
    rows: list[dict[str, object]] = [
        {"id": "a", "name": "long-name"},
        {"id": "bbbb", "name": None},
    ]

    table = format_table(("id", "name"), rows)

    assert table.splitlines() == [
        "id    name",
        "a     long-name",
        "bbbb",
    ]


def test_table_leaves_a_missing_field_empty() -> None:
    table = format_table(("id", "message", "size"), [{"id": "x", "size": 3}])

    assert table.splitlines()[1] == "x" + " " * 12 + "3"


def test_table_counts_cjk_ideographs_as_two_columns() -> None:
    rows = [{"description": "中文", "status": "active"}]

    lines = format_table(("description", "status"), rows).splitlines()

    assert display_width("中文") == 4
    header_offset = lines[0].index("status")
    row_offset = display_width(lines[1][: lines[1].index("active")])
    assert row_offset == header_offset


def test_table_of_no_rows_is_the_header() -> None:
    assert format_table(LIST_COLUMNS, []) == "  ".join(LIST_COLUMNS)


# -- argument checks ------------------------------------------------------------------


def test_page_without_size_is_refused_as_fisclient_does() -> None:
    with pytest.raises(CommandError, match="--page and --size must exist"):
        check_page_and_size("1", None)
    with pytest.raises(CommandError, match="--page and --size must exist"):
        check_page_and_size(None, "10")


def test_page_and_size_may_both_be_left_out() -> None:
    assert check_page_and_size(None, None) == (None, None)


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [("1", "1", (1, 1)), ("65534", "100", (65534, 100)), ("007", "05", (7, 5))],
)
def test_page_and_size_within_bounds_are_accepted(
    page: str, size: str, expected: tuple[int, int]
) -> None:
    assert check_page_and_size(page, size) == expected


@pytest.mark.parametrize(
    ("page", "size", "key"),
    [
        ("0", "10", "page"),
        ("65535", "10", "page"),
        ("-1", "10", "page"),
        ("1a", "10", "page"),
        ("\u0661", "10", "page"),  # an Arabic-Indic digit one
        ("1", "0", "size"),
        ("1", "101", "size"),
        ("1", " 5", "size"),
    ],
)
def test_page_and_size_out_of_bounds_are_malformed(
    page: str, size: str, key: str
) -> None:
    with pytest.raises(CommandError, match=f'parameter "{key}" value .* is malformed'):
        check_page_and_size(page, size)


def test_empty_page_is_reported_as_empty() -> None:
    with pytest.raises(CommandError, match='parameter "page" is empty'):
        check_page_and_size("", "10")


def test_fpga_image_id_must_be_32_lowercase_hex_digits() -> None:
    assert check_fpga_image_id(IMAGE_ID) == IMAGE_ID
    for bad in (IMAGE_ID.upper(), IMAGE_ID[:-1], IMAGE_ID + "0", "g" * 32):
        with pytest.raises(CommandError, match="fpga_image_id"):
            check_fpga_image_id(bad)


def test_image_id_must_be_a_lowercase_uuid() -> None:
    assert check_image_id(VM_IMAGE_ID) == VM_IMAGE_ID
    for bad in (
        VM_IMAGE_ID.upper(),
        VM_IMAGE_ID.replace("-", ""),
        VM_IMAGE_ID[:-1],
        VM_IMAGE_ID + "0",
        "{" + VM_IMAGE_ID + "}",
        VM_IMAGE_ID + "\n",
        "g" + VM_IMAGE_ID[1:],
    ):
        with pytest.raises(CommandError, match="image_id"):
            check_image_id(bad)


def test_empty_image_id_is_reported_as_empty() -> None:
    with pytest.raises(CommandError, match='parameter "image_id" is empty'):
        check_image_id("")


# -- the client file ------------------------------------------------------------------


def test_client_file_flag_wins_over_the_variable_and_the_data_folder(
    tmp_path: Path,
) -> None:
    args = argparse.Namespace(client_file=tmp_path / "flag.json")
    environ = {"FIS_CLIENT_FILE": "/env.json", "FIS_DATA_DIR": "/data"}

    assert client_file_path(args, environ) == tmp_path / "flag.json"


def test_client_file_variable_wins_over_the_data_folder() -> None:
    args = argparse.Namespace(client_file=None)
    environ = {"FIS_CLIENT_FILE": "/env.json", "FIS_DATA_DIR": "/data"}

    assert client_file_path(args, environ) == Path("/env.json")


def test_client_file_defaults_to_client_json_in_the_data_folder() -> None:
    args = argparse.Namespace(client_file=None)

    assert client_file_path(args, {"FIS_DATA_DIR": "/data"}) == Path(
        "/data/client.json"
    )


def test_missing_client_file_names_the_path_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "client.json"

    with pytest.raises(CommandError) as caught:
        load_client_config(path)

    assert str(caught.value) == (
        f"no client credentials at {path}; start the service once with "
        "`fis serve` or pass --client-file"
    )


def test_unreadable_client_file_is_a_command_error(tmp_path: Path) -> None:
    path = tmp_path / "client.json"
    path.write_text('{"endpoint": "http://x"}')

    with pytest.raises(CommandError, match="cannot read the client file"):
        load_client_config(path)
