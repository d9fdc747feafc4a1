"""A small Python SDK for the FPGA image API, signing every request with AK/SK.

client = FisClient.from_file(Path("~/.local/share/fpga-image-service/client.json"))
image = client.register("obs-fpga:fpga.bin", "my-image", {"shell_type": "OCL"})
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from fpga_image_service.auth.signature import sign_request

CLIENT_FILE = "client.json"


@dataclass(frozen=True)
class ClientConfig:
    """Where the service is and the key pair to sign with."""

    endpoint: str
    project_id: str
    access_key: str
    secret_key: str
    region: str = "local-1"

    def save(self, path: Path) -> None:
        """Write the file readable by its owner only: it holds the secret key."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(self), out, indent=2)
            out.write("\n")

    @classmethod
    def load(cls, path: Path) -> ClientConfig:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


class ApiError(Exception):
    """The service answered with an error; `code` and `message` come from its body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class FisClient:
    """Calls the FPGA image API of one project."""

    def __init__(self, config: ClientConfig, timeout: float = 30.0) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.endpoint, timeout=timeout)
        self._host = urlsplit(config.endpoint).netloc

    @classmethod
    def from_file(cls, path: Path) -> FisClient:
        return cls(ClientConfig.load(path))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API ---------------------------------------------------------

    def register(
        self,
        location: str,
        name: str,
        metadata: dict[str, Any],
        description: str | None = None,
    ) -> dict[str, Any]:
        """POST .../fpga_image; returns {"id", "status"}."""
        body: dict[str, Any] = {
            "location": location,
            "name": name,
            "metadata": metadata,
        }
        if description is not None:
            body["description"] = description
        answer = self.request("POST", "", {"fpga_image": body}, expect=200)
        return dict(answer["fpga_image"])

    def list_images(
        self,
        fpga_image_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        """GET .../fpga_image/detail; returns {"count", "fpgaimages"}."""
        query = _query(fpga_image_id=fpga_image_id, page=page, size=size)
        answer: dict[str, Any] = self.request(
            "GET", "/detail", None, query=query, expect=200
        )
        return answer

    def get(self, fpga_image_id: str) -> dict[str, Any] | None:
        """One image from the detail list, or None when it does not exist."""
        images = self.list_images(fpga_image_id=fpga_image_id)["fpgaimages"]
        return images[0] if images else None

    def delete(self, fpga_image_id: str) -> None:
        """DELETE .../fpga_image/{id}; the service removes the files afterwards."""
        self.request("DELETE", f"/{fpga_image_id}", None, expect=204)

    def associate(self, fpga_image_id: str, image_id: str) -> None:
        """POST .../fpga_image/{id}/association with the VM image's id."""
        body = {"image": {"id": image_id}}
        self.request("POST", f"/{fpga_image_id}/association", body, expect=204)

    def disassociate(self, fpga_image_id: str, image_id: str) -> None:
        """DELETE .../fpga_image/{id}/association; the VM image's id is in the body."""
        body = {"image": {"id": image_id}}
        self.request("DELETE", f"/{fpga_image_id}/association", body, expect=204)

    def associations(
        self,
        image_id: str | None = None,
        fpga_image_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        """GET .../fpga_image/associations; returns {"associations": [...]}."""
        query = _query(
            image_id=image_id, fpga_image_id=fpga_image_id, page=page, size=size
        )
        answer: dict[str, Any] = self.request(
            "GET", "/associations", None, query=query, expect=200
        )
        return answer

    # -- plumbing --------------------------------------------------------

    def request(
        self,
        method: str,
        suffix: str,
        body: Any,
        *,
        query: list[tuple[str, str]] | None = None,
        expect: int,
    ) -> Any:
        """Send one signed call below .../cloudservers/fpga_image."""
        path = f"/v1/{self.config.project_id}/cloudservers/fpga_image{suffix}"
        query = query or []
        content = b"" if body is None else json.dumps(body).encode("utf-8")
        headers = {"Host": self._host}
        if body is not None:
            headers["Content-Type"] = "application/json;charset=utf8"
        headers.update(
            sign_request(
                method,
                path,
                query,
                headers,
                content,
                self.config.access_key,
                self.config.secret_key,
                datetime.now(UTC),
            )
        )
        url = path + ("?" + urlencode(query) if query else "")
        response = self._http.request(method, url, content=content, headers=headers)
        return _answer(response, expect)


def _query(**params: str | int | None) -> list[tuple[str, str]]:
    """The query pairs of the parameters that are set, in the order given."""
    return [(key, str(value)) for key, value in params.items() if value is not None]


def _answer(response: httpx.Response, expect: int) -> Any:
    if response.status_code == expect:
        return response.json() if response.content else None
    try:
        data = response.json()
    except ValueError:
        raise ApiError(response.status_code, "", response.text[:200]) from None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        raise ApiError(
            response.status_code, str(error.get("code")), str(error.get("message"))
        )
    if isinstance(data, dict) and "error_code" in data:
        raise ApiError(
            response.status_code, str(data["error_code"]), str(data.get("error_msg"))
        )
    raise ApiError(response.status_code, "", response.text[:200])
