"""An image catalog that asks an OpenStack Image service (Glance API v2).

Every lookup is a fresh `GET /v2/images/{id}`: no answer is cached, because a
VM image turned from private to shared must stop counting as private at once.
The service's credentials must let it read every project's images (in Glance's
default policies, the admin role).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from fpga_image_service.catalog.base import (
    CatalogUnavailable,
    Visibility,
    VmImage,
    is_image_id,
)

# Failures of a connection that was open already, as opposed to one that
# could not be opened or a request that took too long.
_BROKEN_CONNECTION = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class GlanceImageCatalog:
    """An ImageCatalog over Glance's HTTP API; safe to share between threads."""

    def __init__(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"Glance endpoint must be an http(s) URL: {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self._client = httpx.Client(
            headers={"Accept": "application/json", **(headers or {})},
            timeout=timeout,
            transport=transport,
        )

    def get(self, image_id: str) -> VmImage | None:
        """The VM image from Glance, or None if Glance has none with this id."""
        # Only canonical ids are asked for: the id becomes part of the URL, and
        # a VM image id is a lowercase UUID by contract.
        if not is_image_id(image_id):
            return None

        response = self._fetch(f"{self.endpoint}/v2/images/{image_id}")
        if response.status_code == 404:
            return None
        self._check_status(response)
        return self._image(image_id, response)

    def close(self) -> None:
        """Close the connections to Glance."""
        self._client.close()

    def _fetch(self, url: str) -> httpx.Response:
        try:
            try:
                return self._client.get(url)
            except _BROKEN_CONNECTION:
                # A WSGI server may close a kept-alive connection without
                # saying so; the GET is safe to repeat once on a fresh one.
                return self._client.get(url)
        except httpx.HTTPError as exc:
            raise CatalogUnavailable(
                f"the image catalog (Glance at {self.endpoint}) cannot be reached: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise CatalogUnavailable(
                f"the image catalog (Glance at {self.endpoint}) refused the "
                f"service's credentials (HTTP {status}); check the Glance token "
                "and that it may read every project's images"
            )
        if status != 200:
            raise CatalogUnavailable(
                f"the image catalog (Glance at {self.endpoint}) answered HTTP "
                f"{status} to a VM image lookup"
            )

    def _image(self, image_id: str, response: httpx.Response) -> VmImage:
        try:
            body: Any = response.json()
        except ValueError as exc:
            raise self._malformed("a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise self._malformed("a body that is not a JSON object")

        if body.get("id") != image_id:
            raise self._malformed(f"another image's id {body.get('id')!r}")
        raw_visibility = body.get("visibility", "")
        try:
            visibility = Visibility(raw_visibility)
        except ValueError:
            raise self._malformed(f"an unknown visibility {raw_visibility!r}") from None
        # Glance documents owner as possibly null: an image no project owns.
        # The empty string never equals a project id, so such an image is
        # nobody's.
        owner = body.get("owner") or ""
        name = body.get("name") or ""
        if not isinstance(owner, str) or not isinstance(name, str):
            raise self._malformed("an owner or name that is not a string")

        return VmImage(id=image_id, owner=owner, visibility=visibility, name=name)

    def _malformed(self, what: str) -> CatalogUnavailable:
        return CatalogUnavailable(
            f"the image catalog (Glance at {self.endpoint}) answered a VM image "
            f"lookup with {what}"
        )
