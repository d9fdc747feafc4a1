"""fpga-image-register, -list and -wait: their own checks, waiting, output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fpga_image_service.cli.common import CommandError
from fpga_image_service.cli.images import (
    LIST_COLUMNS,
    check_timeout,
    parse_metadata,
    wait_for_image,
)
from fpga_image_service.cli.main import main
from tests.unit.cli.fakes import IMAGE_ID, FakeApi, an_image

# -- argument checks ------------------------------------------------------------------


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


def test_list_prints_success_then_the_table(
    client_file: Path,
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_api.images = [an_image("active")]

    code = main(["fpga-image-list", "--client-file", str(client_file)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == "Success: 200 OK"
    assert lines[1].split() == list(LIST_COLUMNS)
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
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_api.images = [an_image("active")]

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
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_api.images = [an_image("saving")]

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
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_api.images = [an_image("active")]

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
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failed = an_image("error") | {"message": "not an FPGA image"}
    fake_api.images = [failed]

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
