"""Registering FPGA images through the HTTP API, as a user of the cloud API would."""

from __future__ import annotations

import hashlib
import json
import re

from fpga_image_service.client import ClientConfig
from tests.e2e.service import RunningService, wait_for_status
from tests.e2e.signing import register_path, signed
from tests.fixtures import fpga_files

SEED_BODY = {
    "fpga_image": {
        "location": "obs-fpga:fpga.bin",
        "name": "fpga-image-test",
        "description": "fpga description",
        "metadata": {"shell_type": "OCL", "shell_version": "1.0"},
    }
}


def _config(service: RunningService) -> ClientConfig:
    return ClientConfig.load(service.client_file)


def _register(service: RunningService, location: str) -> str:
    body = dict(SEED_BODY["fpga_image"], location=location)
    with service.client() as client:
        answer = client.register(
            **{k: body[k] for k in ("location", "name", "metadata", "description")}
        )
    return str(answer["id"])


def test_seed_example_goes_from_saving_to_active(service: RunningService) -> None:
    data = fpga_files.raw_bin(payload_size=3 * 1024 * 1024 + 5)
    service.put_object("obs-fpga", "fpga.bin", data)
    config = _config(service)

    response = signed(
        config, "POST", register_path(config), json.dumps(SEED_BODY).encode()
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    assert answer["fpga_image"]["status"] == "saving"
    assert re.fullmatch(r"[0-9a-f]{32}", answer["fpga_image"]["id"])
    with service.client() as client:
        image = wait_for_status(client, answer["fpga_image"]["id"], {"active"})
    assert image["size"] == 4  # 3 MiB and 5 bytes, rounded up
    assert image["name"] == "fpga-image-test"
    assert image["description"] == "fpga description"
    assert image["metadata"] == {"shell_type": "OCL", "shell_version": "1.0"}
    assert image["protected"] is False
    assert image["message"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", str(image["createdAt"]))
    assert set(image) == {
        "id",
        "name",
        "description",
        "status",
        "size",
        "createdAt",
        "protected",
        "message",
        "metadata",
        "log_directory",
    }


def test_every_supported_format_becomes_active(service: RunningService) -> None:
    files = {
        "formats/a.xclbin": fpga_files.xclbin_file(),
        "formats/b.bin": fpga_files.aei_file(),
        "formats/c.bin": fpga_files.raw_bin(swapped=True),
        "formats/d.bin": fpga_files.bit_file(),
    }
    ids = []
    for key, data in files.items():
        service.put_object("obs-fpga", key, data)
        ids.append(_register(service, f"obs-fpga:{key}"))
    with service.client() as client:
        for fpga_image_id in ids:
            wait_for_status(client, fpga_image_id, {"active"})


def _error_message(service: RunningService, key: str, data: bytes | None) -> str:
    if data is not None:
        service.put_object("obs-fpga", key, data)
    fpga_image_id = _register(service, f"obs-fpga:{key}")
    with service.client() as client:
        image = wait_for_status(client, fpga_image_id, {"error", "active"})
    assert image["status"] == "error", image
    return str(image["message"])


def test_missing_object_ends_in_error_naming_it(service: RunningService) -> None:
    message = _error_message(service, "nowhere/missing.bin", None)
    assert "not found" in message and "nowhere/missing.bin" in message


def test_empty_file_ends_in_error(service: RunningService) -> None:
    assert "empty" in _error_message(service, "empty.bin", b"")


def test_truncated_xclbin_ends_in_error(service: RunningService) -> None:
    whole = fpga_files.xclbin_file()
    message = _error_message(service, "cut.xclbin", whole[: len(whole) - 100])
    assert "truncated" in message


def test_content_that_does_not_match_the_name_ends_in_error(
    service: RunningService,
) -> None:
    message = _error_message(service, "really-xclbin.bin", fpga_files.xclbin_file())
    assert "xclbin" in message and "really-xclbin.bin" in message


def test_unknown_format_ends_in_error(service: RunningService) -> None:
    message = _error_message(service, "zip.bin", b"PK\x03\x04" + b"\0" * 2000)
    assert "not an FPGA image" in message


def test_aei_with_wrong_checksum_ends_in_error(service: RunningService) -> None:
    data = bytearray(fpga_files.aei_file())
    data[-1] ^= 0xFF
    assert "SHA-256" in _error_message(service, "bad-sum.bin", bytes(data))


def test_failed_copy_leaves_nothing_in_the_image_store(service: RunningService) -> None:
    _error_message(service, "empty2.bin", b"")
    store = service.data_dir / "image-store" / "fis-images"
    leftovers = [p for p in store.rglob("*") if p.is_file()]
    config = _config(service)
    with service.client() as client:
        active = {
            i["id"]
            for i in client.list_images()["fpgaimages"]
            if i["status"] == "active"
        }
    assert {p.name for p in leftovers} <= active
    assert all(p.parent.name == config.project_id for p in leftovers)


def test_request_id_is_in_the_header_and_in_the_log_lines(
    service: RunningService,
) -> None:
    service.put_object("obs-fpga", "rid.bin", fpga_files.raw_bin())
    config = _config(service)
    body = dict(SEED_BODY["fpga_image"], location="obs-fpga:rid.bin")

    ok = signed(
        config, "POST", register_path(config), json.dumps({"fpga_image": body}).encode()
    )
    bad = signed(config, "POST", register_path(config), b"{")

    request_ids = [ok.headers["x-request-id"], bad.headers["x-request-id"]]
    assert request_ids[0] != request_ids[1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in request_ids)
    fpga_image_id = ok.json()["fpga_image"]["id"]
    log = (service.data_dir.parent / f"{service.data_dir.name}-service.log").read_text()
    registered = [
        line
        for line in log.splitlines()
        if "fpga_image_registered" in line and fpga_image_id in line
    ]
    assert len(registered) == 1
    assert registered[0].endswith(f"request_id={request_ids[0]}")


def test_the_secret_key_is_printed_once_and_never_logged(
    service: RunningService,
) -> None:
    config = _config(service)
    bad = signed(config, "POST", register_path(config), b"{}", secret_key="x" * 40)
    assert bad.status_code == 401

    output = (
        service.data_dir.parent / f"{service.data_dir.name}-service.log"
    ).read_text()
    # Once: the first-start banner on standard output; no log line carries it.
    assert output.count(config.secret_key) == 1
    banner = [line for line in output.splitlines() if config.secret_key in line]
    assert banner == [f"  secret_key: {config.secret_key}"]


def test_admin_image_show_gives_the_recorded_provenance(
    service: RunningService,
) -> None:
    data = fpga_files.xclbin_file()
    service.put_object("obs-fpga", "prov.xclbin", data)
    fpga_image_id = _register(service, "obs-fpga:prov.xclbin")
    with service.client() as client:
        wait_for_status(client, fpga_image_id, {"active"})

    shown = service.fis("admin", "image-show", fpga_image_id, check=True).stdout

    assert f"sha256: {hashlib.sha256(data).hexdigest()}" in shown
    assert f"size_bytes: {len(data)}" in shown
    assert "format: xclbin" in shown
    assert '"num_sections"' in shown
    missing = service.fis("admin", "image-show", "0" * 32)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no FPGA")
