"""`fis fpga-image-relation-*` and `fis fpga-image-delete` against a real service.

The module's service (see conftest) has bucket obs-fpga granted to the
project of its client file; every test registers its own images.
"""

from __future__ import annotations

from fpga_image_service.cli.deletion import QUESTION
from fpga_image_service.client import ClientConfig
from tests.e2e import family
from tests.e2e.service import RunningService, assert_one_line_error

NO_CONTENT = "Success: 204 No Content\n"


def project_of(service: RunningService) -> str:
    return ClientConfig.load(service.client_file).project_id


def relate(service: RunningService, verb: str, fpga_image_id: str, vm: str) -> None:
    result = service.fis(
        f"fpga-image-relation-{verb}",
        "--fpga-image-id",
        fpga_image_id,
        "--image-id",
        vm,
    )
    assert (result.returncode, result.stdout) == (0, NO_CONTENT), result.stderr


def test_associated_image_is_protected_until_its_relation_is_deleted(
    service: RunningService,
) -> None:
    first, second = family.active_images(service, 2)
    vm = family.add_vm_image(service, project_of(service), "private")
    relate(service, "create", first, vm)
    relate(service, "create", second, vm)

    listed = service.fis("fpga-image-relation-list", "--image-id", vm)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "Success: 200 OK"
    assert lines[1].split()[:5] == [
        "image_id",
        "fpga_image_id",
        "name",
        "status",
        "protected",
    ]
    rows = sorted(line.split()[:5] for line in lines[2:])
    assert rows == sorted(
        [[vm, first, "i0", "active", "True"], [vm, second, "i1", "active", "True"]]
    )

    refused = service.fis("fpga-image-delete", "--fpga-image-id", first, "--force")
    assert_one_line_error(refused, "Error: 400 ", f"[{first}] is protected")

    relate(service, "delete", first, vm)
    deleted = service.fis("fpga-image-delete", "--fpga-image-id", first, "--force")
    assert (deleted.returncode, deleted.stdout) == (0, NO_CONTENT), deleted.stderr

    remaining = service.fis("fpga-image-relation-list", "--image-id", vm)
    assert [line.split()[1] for line in remaining.stdout.splitlines()[2:]] == [second]


def test_delete_without_force_cancels_on_no_and_keeps_the_image(
    service: RunningService,
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)

    result = service.fis(
        "fpga-image-delete", "--fpga-image-id", fpga_image_id, answers="maybe\nno\n"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        QUESTION,
        "please input yes or no: ",
        "cancel fpga-image-delete",
    ]
    with service.client() as client:
        image = client.get(fpga_image_id)
    assert image is not None and image["status"] == "active"


def test_delete_without_force_deletes_on_yes(service: RunningService) -> None:
    (fpga_image_id,) = family.active_images(service, 1)

    result = service.fis(
        "fpga-image-delete", "--fpga-image-id", fpga_image_id, answers="yes\n"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [QUESTION, "Success: 204 No Content"]
    with service.client() as client:
        image = client.get(fpga_image_id)
    assert image is None or image["status"] == "deleting"


def test_delete_at_end_of_input_cancels(service: RunningService) -> None:
    (fpga_image_id,) = family.active_images(service, 1)

    result = service.fis(
        "fpga-image-delete", "--fpga-image-id", fpga_image_id, answers=""
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "cancel fpga-image-delete"


def test_relation_with_a_shared_vm_image_is_refused_by_the_service(
    service: RunningService,
) -> None:
    (fpga_image_id,) = family.active_images(service, 1)
    vm = family.add_vm_image(service, project_of(service), "shared")

    result = service.fis(
        "fpga-image-relation-create",
        "--fpga-image-id",
        fpga_image_id,
        "--image-id",
        vm,
    )

    assert_one_line_error(result, "Error: 400 ", "is not private")


def test_relation_list_without_a_filter_is_empty_with_the_tip(
    service: RunningService,
) -> None:
    result = service.fis("fpga-image-relation-list")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Success: 200 OK", "  ".join(lines[1].split())]
    assert len(lines) == 3 and "empty list" in lines[2]


def test_malformed_image_id_is_refused_before_any_request(
    service: RunningService,
) -> None:
    result = service.fis(
        "fpga-image-relation-list", "--image-id", "18EFEE75-E058-4C52-A49C-9E3BA4D1C8DE"
    )

    assert_one_line_error(result, 'parameter "image_id" value')
