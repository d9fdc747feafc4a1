"""fpga-image-relation-create, -delete and -list: checks, rows and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fpga_image_service.cli.common import CommandError
from fpga_image_service.cli.main import main
from fpga_image_service.cli.relations import (
    NO_FILTER_TIP,
    RELATION_COLUMNS,
    relation_rows,
)
from tests.unit.cli.fakes import IMAGE_ID, FakeApi, an_image

OTHER_ID = "b" * 32
VM_IMAGE_ID = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
OTHER_VM_IMAGE_ID = "89e38a0a-de83-4f3d-83b9-a2df2c605487"


def two_vm_images() -> dict[str, object]:
    """VM image 1 with two FPGA images, VM image 2 with one, all protected."""
    first = an_image("active") | {"protected": True}
    second = an_image("active", OTHER_ID) | {"protected": True}
    return {
        "associations": [
            {"image_id": VM_IMAGE_ID, "fpgaimages": [first, second]},
            {"image_id": OTHER_VM_IMAGE_ID, "fpgaimages": [first]},
        ]
    }


def fis(client_file: Path, *args: str) -> int:
    return main([*args, "--client-file", str(client_file)])


# -- rows ---------------------------------------------------------------------------


def test_rows_are_one_per_vm_image_and_fpga_image_pair() -> None:
    rows = relation_rows(two_vm_images(), "http://x")

    assert [(r["image_id"], r["fpga_image_id"]) for r in rows] == [
        (VM_IMAGE_ID, IMAGE_ID),
        (VM_IMAGE_ID, OTHER_ID),
        (OTHER_VM_IMAGE_ID, IMAGE_ID),
    ]
    assert rows[0]["name"] == "img"
    assert rows[0]["protected"] is True


def test_rows_keep_the_vm_image_id_over_a_field_of_the_fpga_image() -> None:
    image = an_image("active") | {"image_id": "not this"}
    answer = {"associations": [{"image_id": VM_IMAGE_ID, "fpgaimages": [image]}]}

    assert relation_rows(answer, "http://x")[0]["image_id"] == VM_IMAGE_ID


def test_no_associations_is_no_rows() -> None:
    assert relation_rows({"associations": []}, "http://x") == []


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {},
        {"associations": {}},
        {"associations": ["x"]},
        {"associations": [{"image_id": VM_IMAGE_ID}]},
        {"associations": [{"image_id": VM_IMAGE_ID, "fpgaimages": ["x"]}]},
    ],
)
def test_answer_of_another_shape_is_a_command_error(answer: object) -> None:
    with pytest.raises(CommandError, match="the service at http://x answered"):
        relation_rows(answer, "http://x")


# -- relation-list ------------------------------------------------------------------


def test_list_prints_success_then_one_table_row_per_pair(
    client_file: Path, fake_api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_api.associations = two_vm_images()

    code = fis(client_file, "fpga-image-relation-list", "--image-id", VM_IMAGE_ID)

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == "Success: 200 OK"
    assert lines[1].split() == list(RELATION_COLUMNS)
    assert lines[2].split() == [
        VM_IMAGE_ID,
        IMAGE_ID,
        "img",
        "active",
        "True",
        "45",
        "2018-11-26",
        "07:53:35",
        '{"shell_type":',
        '"0x101"}',
    ]
    assert [line.split()[:2] for line in lines[3:]] == [
        [VM_IMAGE_ID, OTHER_ID],
        [OTHER_VM_IMAGE_ID, IMAGE_ID],
    ]
    assert fake_api.calls == [("associations", VM_IMAGE_ID, None, None, None)]


def test_list_passes_both_filters_and_the_page(
    client_file: Path, fake_api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    code = fis(
        client_file,
        "fpga-image-relation-list",
        "--image-id",
        VM_IMAGE_ID,
        "--fpga-image-id",
        IMAGE_ID,
        "--page",
        "2",
        "--size",
        "1",
    )

    assert code == 0
    assert fake_api.calls == [("associations", VM_IMAGE_ID, IMAGE_ID, 2, 1)]
    assert NO_FILTER_TIP not in capsys.readouterr().out


def test_list_by_fpga_image_alone_prints_no_tip(
    client_file: Path, fake_api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    code = fis(client_file, "fpga-image-relation-list", "--fpga-image-id", IMAGE_ID)

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "Success: 200 OK",
        "  ".join(RELATION_COLUMNS),
    ]


def test_list_without_a_filter_ends_with_the_tip(
    client_file: Path, fake_api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    code = fis(client_file, "fpga-image-relation-list")

    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "Success: 200 OK",
        "  ".join(RELATION_COLUMNS),
        NO_FILTER_TIP,
    ]
    assert "empty list" in NO_FILTER_TIP


def test_list_json_prints_the_raw_answer_and_the_tip_apart(
    client_file: Path, fake_api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_api.associations = two_vm_images()

    code = fis(client_file, "fpga-image-relation-list", "--json")

    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out) == two_vm_images()
    assert captured.err == NO_FILTER_TIP + "\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--image-id", VM_IMAGE_ID.upper()], 'parameter "image_id" value'),
        (["--fpga-image-id", "x" * 32], 'parameter "fpga_image_id" value'),
        (["--page", "1"], "argument --page and --size must exist"),
        (["--page", "1", "--size", "101"], 'parameter "size" value'),
    ],
)
def test_list_refuses_malformed_arguments_before_any_request(
    args: list[str],
    words: str,
    client_file: Path,
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = fis(client_file, "fpga-image-relation-list", *args)

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"Error: {words}")
    assert err.count("\n") == 1
    assert fake_api.calls == []


# -- relation-create and relation-delete --------------------------------------------


@pytest.mark.parametrize(
    ("command", "call"),
    [
        ("fpga-image-relation-create", "associate"),
        ("fpga-image-relation-delete", "disassociate"),
    ],
)
def test_change_prints_no_content_and_sends_both_ids(
    command: str,
    call: str,
    client_file: Path,
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = fis(
        client_file, command, "--fpga-image-id", IMAGE_ID, "--image-id", VM_IMAGE_ID
    )

    assert code == 0
    assert capsys.readouterr().out == "Success: 204 No Content\n"
    assert fake_api.calls == [(call, IMAGE_ID, VM_IMAGE_ID)]


@pytest.mark.parametrize(
    "command", ["fpga-image-relation-create", "fpga-image-relation-delete"]
)
@pytest.mark.parametrize(
    ("fpga_image_id", "image_id", "key"),
    [
        (IMAGE_ID[:-1], VM_IMAGE_ID, "fpga_image_id"),
        (IMAGE_ID, VM_IMAGE_ID.replace("-", ""), "image_id"),
        (IMAGE_ID, "", "image_id"),
    ],
)
def test_change_refuses_malformed_ids_before_any_request(
    command: str,
    fpga_image_id: str,
    image_id: str,
    key: str,
    client_file: Path,
    fake_api: FakeApi,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = fis(
        client_file, command, "--fpga-image-id", fpga_image_id, "--image-id", image_id
    )

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f'Error: parameter "{key}"')
    assert err.count("\n") == 1
    assert fake_api.calls == []
