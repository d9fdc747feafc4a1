"""The OpenAPI document: self-consistent, complete against the routes and errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pytest

from fpga_image_service.api.app import BASE, _routes
from fpga_image_service.api.http import Request, Response
from fpga_image_service.api.routes import Handlers

ERRORS_MD = Path(__file__).resolve().parents[3] / "docs" / "errors.md"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SEED_REGISTER_EXAMPLE = {
    "fpga_image": {
        "location": "obs-fpga:fpga.bin",
        "name": "fpga-image-test",
        "description": "fpga description",
        "metadata": {"shell_type": "OCL", "shell_version": "1.0"},
    }
}


class _AnyHandler:
    """Stands in for Handlers: every attribute is a handler, so any route builds."""

    def __getattr__(self, name: str) -> Any:
        async def handler(request: Request) -> Response:
            raise AssertionError(f"{name} is not meant to run")

        return handler


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    text = (resources.files("fpga_image_service.api") / "openapi.json").read_text(
        encoding="utf-8"
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local $refs until a node without one; KeyError if one dangles."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        assert pointer.startswith("#/"), f"non-local $ref {pointer}"
        assert pointer not in seen, f"$ref cycle through {pointer}"
        seen.add(pointer)
        node = document
        for token in pointer[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _error_examples(
    document: dict[str, Any], response: Any
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(code, body) of every error example of a response."""
    resolved = _resolve(document, response)
    for media in resolved.get("content", {}).values():
        bodies = [media["example"]] if "example" in media else []
        bodies += [
            _resolve(document, example)["value"]
            for example in media.get("examples", {}).values()
        ]
        for body in bodies:
            if isinstance(body, dict) and "error_code" in body:
                yield body["error_code"], body
            elif isinstance(body, dict) and isinstance(body.get("error"), dict):
                yield body["error"]["code"], body


def _errors_table() -> set[tuple[int, str]]:
    """(HTTP status, code) of each row of the code table in docs/errors.md."""
    rows: set[tuple[int, str]] = set()
    in_table = False
    for line in ERRORS_MD.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:2] == ["HTTP", "code"]:
            in_table = True
        elif in_table and not line.startswith("|"):
            break
        elif in_table and cells[0].isdigit():
            rows.add((int(cells[0]), cells[1].strip("`")))
    return rows


def _app_routes() -> dict[str, set[str]]:
    router = _routes(cast(Handlers, _AnyHandler()))
    return {r.template: {m.lower() for m in r.handlers} for r in router.routes}


# -- the document as a document -------------------------------------------------


def test_document_is_openapi_3_0_3(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] and document["info"]["version"]


def test_every_ref_resolves_inside_the_document(document: dict[str, Any]) -> None:
    refs = set(_refs(document))

    assert refs, "the document is expected to share components through $ref"
    for pointer in refs:
        _resolve(document, {"$ref": pointer})


def test_resolve_refuses_a_dangling_ref() -> None:
    with pytest.raises(KeyError):
        _resolve({"components": {}}, {"$ref": "#/components/schemas/Missing"})


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(document)]

    assert len(ids) == len(set(ids))


def test_document_passes_an_openapi_validator(document: dict[str, Any]) -> None:
    # Not a dependency of the project; moto's server extra happens to bring it.
    validator = pytest.importorskip("openapi_spec_validator")

    validator.validate(document)


# -- the document against the app ----------------------------------------------


def test_every_route_of_the_app_is_documented_with_the_same_methods(
    document: dict[str, Any],
) -> None:
    documented = {
        path: {method for method in HTTP_METHODS if method in item}
        for path, item in document["paths"].items()
    }

    assert documented == _app_routes()


def test_the_app_serves_the_fpga_image_family_under_base() -> None:
    routes = _app_routes()

    assert routes[BASE] == {"post"}
    assert routes[f"{BASE}/{{fpga_image_id}}/association"] == {"post", "delete"}


def test_path_parameters_match_the_route_templates(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        in_template = set(re.findall(r"\{([a-z_]+)\}", path))
        shared = [_resolve(document, p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            own = [_resolve(document, p) for p in item[method].get("parameters", [])]
            declared = {p["name"] for p in shared + own if p["in"] == "path"}
            assert declared == in_template, f"{method.upper()} {path}"


# -- responses -------------------------------------------------------------------


def test_every_operation_documents_its_success_status(
    document: dict[str, Any],
) -> None:
    expected = {
        ("/health", "get"): "200",
        ("/openapi.json", "get"): "200",
        (BASE, "post"): "200",
        (f"{BASE}/detail", "get"): "200",
        (f"{BASE}/associations", "get"): "200",
        (f"{BASE}/{{fpga_image_id}}", "delete"): "204",
        (f"{BASE}/{{fpga_image_id}}/association", "post"): "204",
        (f"{BASE}/{{fpga_image_id}}/association", "delete"): "204",
    }

    for path, method, operation in _operations(document):
        success = [s for s in operation["responses"] if s.startswith("2")]
        assert success == [expected[(path, method)]], f"{method.upper()} {path}"


def test_every_response_carries_the_request_id_header(
    document: dict[str, Any],
) -> None:
    reusable = {"$ref": "#/components/headers/X-Request-Id"}

    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            headers = _resolve(document, response).get("headers", {})
            assert headers.get("X-Request-Id") == reusable, f"{method} {path} {status}"


def test_signed_operations_document_every_shared_error(
    document: dict[str, Any],
) -> None:
    shared = {"400", "401", "403", "405", "413", "500", "503"}

    for path, method, operation in _operations(document):
        if not path.startswith("/v1/"):
            assert operation["security"] == []
            continue
        assert "security" not in operation, f"{method} {path} must be signed"
        assert shared <= set(operation["responses"]), f"{method.upper()} {path}"


def test_gateway_codes_use_the_gateway_envelope_and_others_the_ecs_one(
    document: dict[str, Any],
) -> None:
    responses = list(document["components"]["responses"].values())
    for _, _, operation in _operations(document):
        responses += operation["responses"].values()

    for response in responses:
        examples = list(_error_examples(document, response))
        if not examples:
            continue
        for code, body in examples:
            assert ("error_code" in body) is code.startswith("APIGW."), code
        codes = [code for code, _ in examples]
        schema_refs = {
            media["schema"].get("$ref")
            for media in _resolve(document, response)["content"].values()
        }
        gateway = {code.startswith("APIGW.") for code in codes}
        assert len(gateway) == 1, f"one response mixes envelopes: {codes}"
        envelope = "GatewayError" if gateway.pop() else "EcsError"
        assert schema_refs == {f"#/components/schemas/{envelope}"}, codes


# -- error codes against docs/errors.md ---------------------------------------


def test_errors_table_is_found_in_errors_md() -> None:
    assert (400, "Ecs.0005") in _errors_table()


def test_every_code_of_errors_md_appears_in_the_document(
    document: dict[str, Any],
) -> None:
    responses = list(document["components"]["responses"].values())
    for _, _, operation in _operations(document):
        responses += operation["responses"].values()
    documented = {code for r in responses for code, _ in _error_examples(document, r)}

    missing = {code for _, code in _errors_table()} - documented

    assert not missing


def test_every_error_example_has_the_status_errors_md_gives_its_code(
    document: dict[str, Any],
) -> None:
    table = _errors_table()

    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            for code, _ in _error_examples(document, response):
                row = (int(status), code)
                assert row in table, f"{method.upper()} {path}: {row} not in errors.md"


# -- the parts the brief pins ------------------------------------------------------


def test_security_scheme_describes_both_authorization_forms(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"]["akskSignature"]

    assert scheme["in"] == "header" and scheme["name"] == "Authorization"
    for part in ("Access={AK}", "Credential={AK}/", "X-Sdk-Date", "APIGW.0301"):
        assert part in scheme["description"]


def test_register_example_is_the_seed_request(document: dict[str, Any]) -> None:
    register = document["paths"][BASE]["post"]

    body = register["requestBody"]["content"]["application/json"]

    assert body["example"] == SEED_REGISTER_EXAMPLE


def test_disassociate_documents_its_json_body(document: dict[str, Any]) -> None:
    operation = document["paths"][f"{BASE}/{{fpga_image_id}}/association"]["delete"]

    body = operation["requestBody"]

    assert body["required"] is True
    schema = _resolve(document, body["content"]["application/json"]["schema"])
    assert schema["required"] == ["image"]
