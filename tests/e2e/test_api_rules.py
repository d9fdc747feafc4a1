"""The register API's refusals, through HTTP with signed requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fpga_image_service.client import ClientConfig
from tests.e2e.service import RunningService
from tests.e2e.signing import register_path, signed


def _config(service: RunningService) -> ClientConfig:
    return ClientConfig.load(service.client_file)


def _body(**fields: object) -> bytes:
    image: dict[str, object] = {
        "location": "obs-fpga:fpga.bin",
        "name": "n",
        "metadata": {"k": "v"},
    }
    image.update(fields)
    return json.dumps({"fpga_image": image}).encode()


def _post(service: RunningService, body: bytes) -> httpx.Response:
    config = _config(service)
    return signed(config, "POST", register_path(config), body)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (_body(location="obs..fpga:fpga.bin"), '".."'),
        (_body(location="192.168.1.1:fpga.bin"), "IP address"),
        (_body(location="obs-fpga:fpga.txt"), ".bin"),
        (_body(location="obs-fpga:a/../../x.bin"), "inside the bucket"),
        (_body(location="no-colon"), "location"),
        (_body(name="bad name"), "fpga_image.name"),
        (_body(name="x" * 65), "fpga_image.name"),
        (_body(metadata=[1]), "fpga_image.metadata"),
        (_body(metadata={"k": "v" * 1100}), "1024"),
        (_body(description="<script>"), "fpga_image.description"),
        (_body(name=None), "fpga_image.name"),
        (b"{", "not valid JSON"),
        (b"[]", "object"),
        (b'{"image": {}}', "fpga_image"),
        (b'{"fpga_image": "x"}', "fpga_image"),
    ],
)
def test_bad_bodies_answer_400_in_the_ecs_envelope(
    service: RunningService, body: bytes, words: str
) -> None:
    response = _post(service, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "Ecs.0005"
    assert words in error["message"]
    assert set(response.json()) == {"error"}


def test_null_description_and_unknown_fields_are_accepted(
    service: RunningService,
) -> None:
    response = _post(service, _body(description=None, colour="blue"))
    assert response.status_code == 200


def test_body_over_the_limit_answers_413(service: RunningService) -> None:
    response = _post(service, _body(description="a" * (70 * 1024)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FIS.0001"


def test_chunked_body_over_the_limit_answers_413(service: RunningService) -> None:
    config = _config(service)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    response = httpx.post(
        config.endpoint + register_path(config), content=chunks(), timeout=30
    )
    assert response.status_code == 413


def test_unsigned_request_answers_401_in_the_gateway_envelope(
    service: RunningService,
) -> None:
    config = _config(service)
    response = httpx.post(config.endpoint + register_path(config), content=_body())

    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "error_msg" in body


def test_wrong_secret_answers_401(service: RunningService) -> None:
    config = _config(service)
    response = signed(
        config, "POST", register_path(config), _body(), secret_key="x" * 40
    )
    assert response.status_code == 401
    assert config.secret_key not in response.text


def test_date_more_than_15_minutes_off_answers_401(service: RunningService) -> None:
    config = _config(service)
    then = datetime.now(UTC) - timedelta(minutes=16)
    response = signed(config, "POST", register_path(config), _body(), now=then)
    assert response.status_code == 401


def test_legacy_fisclient_signature_is_accepted(service: RunningService) -> None:
    config = _config(service)
    response = signed(
        config,
        "GET",
        register_path(config) + "/detail",
        query=[("page", "1"), ("size", "2")],
        legacy=True,
    )
    assert response.status_code == 200


def test_another_projects_path_answers_403_and_reveals_nothing(
    service: RunningService,
) -> None:
    config = _config(service)
    other = "0" * 32
    listing = signed(config, "GET", register_path(config, other) + "/detail")
    posting = signed(config, "POST", register_path(config, other), _body())

    for response in (listing, posting):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "Ecs.0023"
        assert "fpgaimages" not in response.text


def test_bucket_not_granted_answers_403(service: RunningService) -> None:
    response = _post(service, _body(location="someone-else:fpga.bin"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FIS.0101"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ([("page", "1")], 400),
        ([("size", "1")], 400),
        ([("page", "0"), ("size", "1")], 400),
        ([("page", "65535"), ("size", "1")], 400),
        ([("page", "1"), ("size", "101")], 400),
        ([("page", "+1"), ("size", "1")], 400),
        ([("fpga_image_id", "XYZ")], 400),
        ([("page", "65534"), ("size", "100")], 200),
    ],
)
def test_detail_list_paging_rules(
    service: RunningService, query: list[tuple[str, str]], status: int
) -> None:
    config = _config(service)
    response = signed(config, "GET", register_path(config) + "/detail", query=query)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["code"] == "Ecs.0005"


def test_detail_list_count_is_the_total_and_pages_are_stable(
    service: RunningService,
) -> None:
    for n in range(5):
        assert _post(service, _body(name=f"page-{n}")).status_code == 200
    with service.client() as client:
        everything = client.list_images()
        first = client.list_images(page=1, size=2)
        second = client.list_images(page=2, size=2)

    assert first["count"] == everything["count"] == second["count"]
    assert len(first["fpgaimages"]) == 2
    ids = [i["id"] for i in everything["fpgaimages"]]
    assert [i["id"] for i in first["fpgaimages"] + second["fpgaimages"]] == ids[:4]
    created = [i["createdAt"] for i in everything["fpgaimages"]]
    assert created == sorted(created, reverse=True)


def test_unknown_fpga_image_id_gives_an_empty_list(service: RunningService) -> None:
    with service.client() as client:
        answer = client.list_images(fpga_image_id="f" * 32)
    assert answer == {"count": 0, "fpgaimages": []}


def test_unknown_path_and_wrong_method_answer_in_an_envelope(
    service: RunningService,
) -> None:
    config = _config(service)
    missing = httpx.get(config.endpoint + "/v1/nothing-here")
    wrong = httpx.put(config.endpoint + register_path(config))
    assert missing.status_code == 404 and missing.json()["error_code"] == "APIGW.0101"
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "FIS.0002"


def test_openapi_document_is_served(service: RunningService) -> None:
    document = httpx.get(_config(service).endpoint + "/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/v1/{project_id}/cloudservers/fpga_image" in document["paths"]
