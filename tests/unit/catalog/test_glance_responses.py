"""GlanceImageCatalog against answers shaped like Glance API v2's.

The bodies follow what Glance 33 returned for `GET /v2/images/{id}` in a local
run (see tests/integration/catalog/test_glance_catalog.py), with the fields
the Image API reference documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fpga_image_service.catalog import CatalogUnavailable, GlanceImageCatalog
from fpga_image_service.catalog import factory as catalog_factory
from fpga_image_service.catalog.base import Visibility, VmImage
from fpga_image_service.catalog.factory import open_catalog
from fpga_image_service.errors import ServiceUnavailable
from fpga_image_service.settings import SettingsError

ENDPOINT = "http://glance.test:9292"
IMAGE_ID = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
OWNER = "7e1b9c3a5d2f4e6a8b0c1d2e3f4a5b6c"
TOKEN = "gAAAAABsecret-token-value"


def glance_image(**changes: Any) -> dict[str, Any]:
    """An active image as Glance v2 describes it."""
    image: dict[str, Any] = {
        "id": IMAGE_ID,
        "name": "ubuntu-22.04-fpga",
        "status": "active",
        "visibility": "private",
        "owner": OWNER,
        "protected": False,
        "os_hidden": False,
        "checksum": "ba3cd24377dde5dfdd58728894004abb",
        "os_hash_algo": "sha512",
        "os_hash_value": "b1d1" + "0" * 124,
        "size": 2147483648,
        "virtual_size": 10737418240,
        "disk_format": "qcow2",
        "container_format": "bare",
        "min_disk": 10,
        "min_ram": 1024,
        "tags": ["fpga"],
        "created_at": "2026-12-03T17:32:57Z",
        "updated_at": "2026-12-03T17:33:12Z",
        "self": f"/v2/images/{IMAGE_ID}",
        "file": f"/v2/images/{IMAGE_ID}/file",
        "schema": "/v2/schemas/image",
    }
    image.update(changes)
    return image


def html_error(status: int, title: str, text: str) -> httpx.Response:
    """An error page as Glance's WebOb layer writes it."""
    body = (
        f"<html>\n <head>\n  <title>{status} {title}</title>\n </head>\n <body>\n"
        f"  <h1>{status} {title}</h1>\n  {text}<br /><br />\n\n\n\n </body>\n</html>"
    )
    return httpx.Response(
        status, text=body, headers={"Content-Type": "text/html; charset=UTF-8"}
    )


def not_found() -> httpx.Response:
    return html_error(404, "Not Found", f"No image found with ID {IMAGE_ID}")


def unauthorized() -> httpx.Response:
    return html_error(
        401,
        "Unauthorized",
        "This server could not verify that you are authorized to access the "
        "document you requested.",
    )


def forbidden() -> httpx.Response:
    return html_error(
        403, "Forbidden", "You are not authorized to complete get_image action."
    )


def unavailable() -> httpx.Response:
    """A 503 as a load balancer in front of Glance answers it."""
    return httpx.Response(
        503,
        text="<html><body><h1>503 Service Unavailable</h1>\nNo server is "
        "available to handle this request.\n</body></html>\n",
        headers={"Content-Type": "text/html"},
    )


class Recorder:
    """A transport that answers from a list and keeps the requests it got."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def catalog(self, endpoint: str = ENDPOINT, **kwargs: Any) -> GlanceImageCatalog:
        transport = httpx.MockTransport(self)
        return GlanceImageCatalog(endpoint, transport=transport, **kwargs)


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


# -- answers that describe an image -------------------------------------------


def test_image_gives_owner_visibility_and_name() -> None:
    recorder = Recorder(ok(glance_image()))

    image = recorder.catalog().get(IMAGE_ID)

    assert image == VmImage(IMAGE_ID, OWNER, Visibility.PRIVATE, "ubuntu-22.04-fpga")


@pytest.mark.parametrize("visibility", list(Visibility))
def test_each_glance_visibility_maps_to_the_same_named_value(
    visibility: Visibility,
) -> None:
    recorder = Recorder(ok(glance_image(visibility=visibility.value)))

    image = recorder.catalog().get(IMAGE_ID)

    assert image is not None
    assert image.visibility is visibility


def test_lookup_is_a_get_of_the_image_with_the_given_headers() -> None:
    recorder = Recorder(ok(glance_image()))

    recorder.catalog(headers={"X-Auth-Token": TOKEN}).get(IMAGE_ID)

    (request,) = recorder.requests
    assert request.method == "GET"
    assert str(request.url) == f"{ENDPOINT}/v2/images/{IMAGE_ID}"
    assert request.headers["X-Auth-Token"] == TOKEN
    assert request.headers["Accept"] == "application/json"


def test_endpoint_with_a_path_and_trailing_slash_keeps_the_path() -> None:
    recorder = Recorder(ok(glance_image()))

    recorder.catalog("https://cloud.test/image/").get(IMAGE_ID)

    assert str(recorder.requests[0].url) == (
        f"https://cloud.test/image/v2/images/{IMAGE_ID}"
    )


def test_every_lookup_asks_glance_so_a_visibility_change_shows_at_once() -> None:
    recorder = Recorder(
        ok(glance_image(visibility="private")), ok(glance_image(visibility="shared"))
    )
    catalog = recorder.catalog()

    first = catalog.get(IMAGE_ID)
    second = catalog.get(IMAGE_ID)

    assert len(recorder.requests) == 2
    assert first is not None and first.visibility is Visibility.PRIVATE
    assert second is not None and second.visibility is Visibility.SHARED


@pytest.mark.parametrize("owner", ["absent", None, ""])
def test_image_without_an_owner_belongs_to_no_project(owner: str | None) -> None:
    body = glance_image(owner=owner)
    if owner == "absent":
        del body["owner"]
    recorder = Recorder(ok(body))

    image = recorder.catalog().get(IMAGE_ID)

    assert image is not None
    assert image.owner == ""
    assert image.visibility is Visibility.PRIVATE


def test_image_without_a_name_has_an_empty_name() -> None:
    recorder = Recorder(ok(glance_image(name=None)))

    image = recorder.catalog().get(IMAGE_ID)

    assert image is not None
    assert image.name == ""


# -- answers that say there is no such image ----------------------------------


def test_404_means_no_such_image() -> None:
    recorder = Recorder(not_found())

    assert recorder.catalog().get(IMAGE_ID) is None


@pytest.mark.parametrize(
    "image_id", [IMAGE_ID.upper(), "../../v2/images", f"{IMAGE_ID}?x=1", ""]
)
def test_id_that_is_not_a_lowercase_uuid_is_none_without_asking(
    image_id: str,
) -> None:
    recorder = Recorder()

    assert recorder.catalog().get(image_id) is None
    assert recorder.requests == []


# -- answers that make the catalog unavailable --------------------------------


@pytest.mark.parametrize("answer", [unauthorized, forbidden], ids=["401", "403"])
def test_refused_credentials_are_unavailable_and_say_so(
    answer: Callable[[], httpx.Response],
) -> None:
    recorder = Recorder(answer())
    catalog = recorder.catalog(headers={"X-Auth-Token": TOKEN})

    with pytest.raises(CatalogUnavailable, match="refused the service's credentials"):
        catalog.get(IMAGE_ID)


def test_refused_credentials_message_does_not_show_the_token() -> None:
    recorder = Recorder(unauthorized())
    catalog = recorder.catalog(headers={"X-Auth-Token": TOKEN})

    with pytest.raises(CatalogUnavailable) as caught:
        catalog.get(IMAGE_ID)

    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        unavailable(),
        html_error(500, "Internal Server Error", "The server has an error."),
        httpx.Response(300, json={"versions": []}),
        httpx.Response(400, json={"message": "bad request"}),
    ],
    ids=["503", "500", "300", "400"],
)
def test_other_statuses_are_unavailable_with_the_status(
    answer: httpx.Response,
) -> None:
    recorder = Recorder(answer)

    with pytest.raises(CatalogUnavailable, match=f"HTTP {answer.status_code}"):
        recorder.catalog().get(IMAGE_ID)


def test_unavailable_catalog_is_a_service_unavailable_503() -> None:
    error = CatalogUnavailable("down")

    assert isinstance(error, ServiceUnavailable)
    assert error.status == 503


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("Connection refused"), httpx.ReadTimeout("timed out")],
    ids=["refused", "timeout"],
)
def test_connect_failures_and_timeouts_are_unavailable_at_once(
    failure: httpx.HTTPError,
) -> None:
    recorder = Recorder(failure)

    with pytest.raises(CatalogUnavailable, match="cannot be reached") as caught:
        recorder.catalog().get(IMAGE_ID)

    assert caught.value.__cause__ is failure
    assert len(recorder.requests) == 1


def broken_connections() -> list[httpx.HTTPError]:
    return [
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.WriteError("[Errno 32] Broken pipe"),
        httpx.RemoteProtocolError("Server disconnected without sending a response"),
    ]


@pytest.mark.parametrize("failure", broken_connections(), ids=["read", "write", "eof"])
def test_broken_kept_alive_connection_is_retried_once(
    failure: httpx.HTTPError,
) -> None:
    recorder = Recorder(failure, ok(glance_image()))

    image = recorder.catalog().get(IMAGE_ID)

    assert image is not None and image.owner == OWNER
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("failure", broken_connections(), ids=["read", "write", "eof"])
def test_connection_broken_twice_is_unavailable_and_keeps_the_cause(
    failure: httpx.HTTPError,
) -> None:
    recorder = Recorder(httpx.ReadError("reset"), failure, ok(glance_image()))

    with pytest.raises(CatalogUnavailable, match="cannot be reached") as caught:
        recorder.catalog().get(IMAGE_ID)

    assert caught.value.__cause__ is failure
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (httpx.Response(200, text="<html>ok</html>"), "not JSON"),
        (ok([glance_image()]), "not a JSON object"),
        (ok(glance_image(visibility="hidden")), "unknown visibility 'hidden'"),
        (ok({k: v for k, v in glance_image().items() if k != "visibility"}), "''"),
        (ok(glance_image(id="89e38a0a-de83-4f3d-83b9-a2df2c605487")), "another"),
        (ok(glance_image(owner=["x"])), "not a string"),
        (ok(glance_image(name=7)), "not a string"),
    ],
    ids=[
        "html",
        "array",
        "visibility",
        "no-visibility",
        "other-id",
        "owner-type",
        "name-type",
    ],
)
def test_malformed_answers_are_unavailable(answer: httpx.Response, words: str) -> None:
    recorder = Recorder(answer)

    with pytest.raises(CatalogUnavailable, match="answered a VM image lookup") as e:
        recorder.catalog().get(IMAGE_ID)

    assert words in str(e.value)


def test_endpoint_must_be_an_http_url() -> None:
    with pytest.raises(ValueError, match="http"):
        GlanceImageCatalog("glance.test:9292")


# -- open_catalog ---------------------------------------------------------------


def _recording_factory(monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    """Make open_catalog build its Glance catalog on the recorder."""

    def build(endpoint: str, headers: Any = None, **kwargs: Any) -> GlanceImageCatalog:
        return recorder.catalog(endpoint, headers=headers, **kwargs)

    monkeypatch.setattr(catalog_factory, "GlanceImageCatalog", build)


def test_open_catalog_glance_sends_the_token_as_x_auth_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder(ok(glance_image()))
    _recording_factory(monkeypatch, recorder)

    catalog = open_catalog("glance", None, ENDPOINT, TOKEN)  # type: ignore[arg-type]
    image = catalog.get(IMAGE_ID)

    assert image is not None and image.owner == OWNER
    assert recorder.requests[0].headers["X-Auth-Token"] == TOKEN


def test_open_catalog_glance_without_a_token_sends_no_token_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder(ok(glance_image()))
    _recording_factory(monkeypatch, recorder)

    catalog = open_catalog("glance", None, ENDPOINT, "")  # type: ignore[arg-type]
    catalog.get(IMAGE_ID)

    assert "X-Auth-Token" not in recorder.requests[0].headers


@pytest.mark.parametrize("endpoint", ["", "glance:9292"])
def test_open_catalog_glance_needs_an_http_endpoint(endpoint: str) -> None:
    with pytest.raises(SettingsError, match="FIS_GLANCE_ENDPOINT"):
        open_catalog("glance", None, endpoint, TOKEN)  # type: ignore[arg-type]


def test_open_catalog_refuses_an_unknown_kind() -> None:
    with pytest.raises(SettingsError, match="local, glance"):
        open_catalog("keystone", None, ENDPOINT, "")  # type: ignore[arg-type]
