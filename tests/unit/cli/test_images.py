"""The client commands' table printer, argument checks, client file and waiting."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from fpga_image_service.cli import images
from fpga_image_service.cli.images import (
    CommandError,
    check_fpga_image_id,
    check_page_and_size,
    check_timeout,
    client_file_path,
    display_width,
    format_cell,
    format_table,
    load_client_config,
    parse_metadata,
    wait_for_image,
)
from fpga_image_service.cli.main import build_parser, main
from fpga_image_service.client import ClientConfig

IMAGE_ID = "4010a32c5c62bad9015c62dc2290002b"

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
    assert format_table(images.LIST_COLUMNS, []) == "  ".join(images.LIST_COLUMNS)


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


def test_metadata_must_be_a_json_object() -> None:
    assert parse_metadata('{"shell_type": "0x101"}') == {"shell_type": "0x101"}
    with pytest.raises(CommandError, match="not JSON"):
        parse_metadata("{shell_type: 1}")
    with pytest.raises(CommandError, match="JSON object"):
        parse_metadata('["0x101"]')


def test_timeout_must_be_a_finite_non_negative_number() -> None:
    assert check_timeout("0") == 0.0
    assert check_timeout("2.5") == 2.5
    for bad in ("-1", "nan", "inf", "soon"):
        with pytest.raises(CommandError, match="timeout"):
            check_timeout(bad)


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


# -- waiting -----------------------------------------------------------------------


class FakeClock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def answers(*statuses: str | None) -> Any:
    """A fetch that returns images with these statuses, then the last forever."""
    queue = list(statuses)

    def fetch() -> dict[str, Any] | None:
        status = queue.pop(0) if len(queue) > 1 else queue[0]
        if status is None:
            return None
        return {"id": IMAGE_ID, "status": status, "message": "copy failed\nbad"}

    return fetch


def test_wait_polls_every_half_second_until_active() -> None:
    clock = FakeClock()

    image = wait_for_image(
        answers("saving", "saving", "active"),
        IMAGE_ID,
        60,
        clock=clock,
        sleep=clock.sleep,
    )

    assert image["status"] == "active"
    assert clock.sleeps == [0.5, 0.5]


def test_wait_reports_the_message_of_an_image_in_error() -> None:
    clock = FakeClock()

    with pytest.raises(CommandError, match=r"is in error: copy failed bad$"):
        wait_for_image(
            answers("saving", "error"), IMAGE_ID, 60, clock=clock, sleep=clock.sleep
        )


@pytest.mark.parametrize(
    ("status", "words"), [(None, "no FPGA image"), ("deleting", "being deleted")]
)
def test_wait_stops_on_an_image_that_cannot_become_active(
    status: str | None, words: str
) -> None:
    clock = FakeClock()

    with pytest.raises(CommandError, match=words):
        wait_for_image(answers(status), IMAGE_ID, 60, clock=clock, sleep=clock.sleep)


def test_wait_returns_the_last_answer_when_the_timeout_passes() -> None:
    clock = FakeClock()

    image = wait_for_image(
        answers("saving"), IMAGE_ID, 1.2, clock=clock, sleep=clock.sleep
    )

    assert image["status"] == "saving"
    assert clock.sleeps == [0.5, 0.5, pytest.approx(0.2)]


def test_wait_with_zero_timeout_asks_once() -> None:
    clock = FakeClock()

    image = wait_for_image(
        answers("saving"), IMAGE_ID, 0, clock=clock, sleep=clock.sleep
    )

    assert image["status"] == "saving"
    assert clock.sleeps == []


# -- the commands through `fis`, against a fake API client ---------------------------


class FakeFisClient:
    """Stands in for FisClient; answers from the class attribute `images`."""

    images: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, config: ClientConfig) -> None:
        self.config = config

    def __enter__(self) -> FakeFisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def list_images(
        self,
        fpga_image_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        return {"count": len(self.images), "fpgaimages": self.images}

    def get(self, fpga_image_id: str) -> dict[str, Any] | None:
        return self.images[0] if self.images else None


@pytest.fixture
def client_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "client.json"
    ClientConfig("http://127.0.0.1:9", "p" * 32, "AK", "SK").save(path)
    monkeypatch.setattr(images, "FisClient", FakeFisClient)
    return path


def an_image(status: str) -> dict[str, Any]:
    return {
        "id": IMAGE_ID,
        "name": "img",
        "status": status,
        "protected": False,
        "size": 45,
        "createdAt": "2018-11-26 07:53:35",
        "description": None,
        "metadata": {"shell_type": "0x101"},
        "message": None,
    }


def test_list_prints_success_then_the_table(
    client_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(FakeFisClient, "images", [an_image("active")])

    code = main(["fpga-image-list", "--client-file", str(client_file)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == "Success: 200 OK"
    assert lines[1].split() == list(images.LIST_COLUMNS)
    assert lines[2].split() == [
        IMAGE_ID,
        "img",
        "active",
        "False",
        "45",
        "2018-11-26",
        "07:53:35",
        '{"shell_type":',
        '"0x101"}',
    ]


def test_list_json_prints_the_raw_answer(
    client_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(FakeFisClient, "images", [an_image("active")])

    code = main(["fpga-image-list", "--json", "--client-file", str(client_file)])

    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "count": 1,
        "fpgaimages": [an_image("active")],
    }


def test_list_with_page_alone_is_one_line_error_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code = main(
        [
            "fpga-image-list",
            "--page",
            "1",
            "--client-file",
            str(tmp_path / "absent.json"),
        ]
    )

    assert code == 1
    assert capsys.readouterr().err == (
        "Error: argument --page and --size must exist or not exist at the same time\n"
    )


def test_wait_exits_two_when_the_timeout_passes(
    client_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(FakeFisClient, "images", [an_image("saving")])

    code = main(
        [
            "fpga-image-wait",
            IMAGE_ID,
            "--timeout",
            "0",
            "--client-file",
            str(client_file),
        ]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert err == f"Error: FPGA image {IMAGE_ID} is still saving after 0 s\n"


def test_wait_prints_the_active_image(
    client_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(FakeFisClient, "images", [an_image("active")])

    code = main(["fpga-image-wait", IMAGE_ID, "--client-file", str(client_file)])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[:4] == [
        "Success: 200 OK",
        f"id: {IMAGE_ID}",
        "name: img",
        "status: active",
    ]


def test_wait_exits_one_with_the_message_of_an_image_in_error(
    client_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failed = an_image("error") | {"message": "not an FPGA image"}
    monkeypatch.setattr(FakeFisClient, "images", [failed])

    code = main(["fpga-image-wait", IMAGE_ID, "--client-file", str(client_file)])

    assert code == 1
    assert capsys.readouterr().err == (
        f"Error: FPGA image {IMAGE_ID} is in error: not an FPGA image\n"
    )


def test_register_refuses_metadata_that_is_not_json_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code = main(
        [
            "fpga-image-register",
            "--location",
            "b1b:a.bin",
            "--name",
            "n",
            "--metadata",
            "{",
            "--client-file",
            str(tmp_path / "absent.json"),
        ]
    )

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith('Error: parameter "metadata"') and err.count("\n") == 1


# -- help ------------------------------------------------------------------------------


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
]


@pytest.mark.parametrize("command", CLIENT_COMMANDS)
def test_every_command_has_an_example_and_help_on_every_option(command: str) -> None:
    parser = _sub_parsers(build_parser())[command]

    assert "\nexample: fis " in (parser.description or "")
    for action in parser._actions:
        assert action.help, f"{command} {action.dest} has no help"
