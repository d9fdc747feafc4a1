"""fpga-image-delete: the confirmation question and the command's output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from fpga_image_service.cli.deletion import ASK_AGAIN, QUESTION, confirm_delete
from fpga_image_service.cli.main import main
from fpga_image_service.client import ApiError
from tests.unit.cli.fakes import IMAGE_ID, FakeApi


class TerminalInput(io.StringIO):
    """Typed answers: a terminal echoes them, so the prompt adds no line break."""

    def isatty(self) -> bool:
        return True


def ask(answers: str, *, terminal: bool = False) -> tuple[bool, str]:
    """Run the question on these answers; return the verdict and what was shown."""
    stdin = TerminalInput(answers) if terminal else io.StringIO(answers)
    stdout = io.StringIO()
    verdict = confirm_delete(stdin, stdout)
    return verdict, stdout.getvalue()


# -- the question -----------------------------------------------------------------


def test_question_is_fisclients_wording() -> None:
    assert QUESTION == (
        "Deleted fpga-image cannot be restored! Are you absolutely sure? (yes/no): "
    )
    assert ASK_AGAIN == "please input yes or no: "


def test_yes_confirms_and_no_declines() -> None:
    assert ask("yes\n") == (True, QUESTION + "\n")
    assert ask("no\n") == (False, QUESTION + "\n")


def test_other_answers_ask_again_until_yes_or_no() -> None:
    verdict, shown = ask("y\nYES\n\nmaybe\nyes\n")

    assert verdict is True
    assert shown == QUESTION + "\n" + (ASK_AGAIN + "\n") * 4


def test_answer_may_carry_surrounding_blanks_and_a_carriage_return() -> None:
    assert ask("  no \r\n")[0] is False
    assert ask("\tyes\r\n")[0] is True


def test_end_of_input_counts_as_no() -> None:
    assert ask("") == (False, QUESTION + "\n")
    assert ask("perhaps\n") == (False, QUESTION + "\n" + ASK_AGAIN + "\n")


def test_last_answer_without_line_break_still_counts() -> None:
    assert ask("yes")[0] is True


def test_terminal_echo_ends_the_line_so_the_prompt_adds_no_break() -> None:
    assert ask("maybe\nyes\n", terminal=True) == (True, QUESTION + ASK_AGAIN)


def test_end_of_input_on_a_terminal_ends_the_prompt_line() -> None:
    assert ask("", terminal=True) == (False, QUESTION + "\n")


# -- the command ----------------------------------------------------------------


def delete(client_file: Path, *extra: str) -> int:
    return main(
        [
            "fpga-image-delete",
            "--fpga-image-id",
            IMAGE_ID,
            *extra,
            "--client-file",
            str(client_file),
        ]
    )


def test_force_deletes_without_asking(
    client_file: Path,
    fake_api: FakeApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code = delete(client_file, "--force")

    assert code == 0
    assert capsys.readouterr().out == "Success: 204 No Content\n"
    assert fake_api.calls == [("delete", IMAGE_ID)]


def test_yes_on_standard_input_deletes(
    client_file: Path,
    fake_api: FakeApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("sure\nyes\n"))

    code = delete(client_file)

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        QUESTION,
        ASK_AGAIN,
        "Success: 204 No Content",
    ]
    assert fake_api.calls == [("delete", IMAGE_ID)]


@pytest.mark.parametrize("answers", ["no\n", ""])
def test_no_or_end_of_input_cancels_without_a_request(
    answers: str,
    client_file: Path,
    fake_api: FakeApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))

    code = delete(client_file)

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        QUESTION,
        "cancel fpga-image-delete",
    ]
    assert fake_api.calls == []


def test_malformed_id_is_refused_before_asking(
    client_file: Path,
    fake_api: FakeApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))

    code = main(
        [
            "fpga-image-delete",
            "--fpga-image-id",
            IMAGE_ID.upper(),
            "--client-file",
            str(client_file),
        ]
    )

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.startswith('Error: parameter "fpga_image_id" value')
    assert captured.err.count("\n") == 1
    assert fake_api.calls == []


def test_missing_client_file_is_refused_before_asking(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))

    code = delete(tmp_path / "absent.json")

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.startswith("Error: no client credentials at ")


def test_refusal_by_the_service_is_one_error_line(
    client_file: Path,
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_api.error = ApiError(400, "FIS.0400", f"fpga image [{IMAGE_ID}] is protected")

    code = delete(client_file, "--force")

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err == (
        f"Error: 400 FIS.0400: fpga image [{IMAGE_ID}] is protected\n"
    )
