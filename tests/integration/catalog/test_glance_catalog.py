"""GlanceImageCatalog against a real OpenStack Glance, run under uWSGI.

Glance lives in its own virtualenv, `.venv-glance` (or FIS_GLANCE_VENV), which
`scripts/setup-glance.sh` creates. Without it these tests skip, unless
FIS_REQUIRE_GLANCE=1 (as CI should set it), which turns the skip into a
failure.

Glance runs without Keystone: its paste pipeline is the stock Keystone one
minus `authtoken`, so it trusts the X-Identity-Status, X-Project-Id and
X-Roles headers as if Keystone had checked them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fpga_image_service.catalog import CatalogUnavailable, GlanceImageCatalog
from fpga_image_service.catalog.base import Visibility, VmImage

REPO = Path(__file__).resolve().parents[3]
GLANCE_VENV = REPO / os.environ.get("FIS_GLANCE_VENV", ".venv-glance")
START_SECONDS = 90.0

PROJECT_A = "4a1c0f3e9b2d4c6e8f0a1b2c3d4e5f60"
PROJECT_B = "5b2d1e4f0c3e4d7f9a1b2c3d4e5f6a71"
ADMIN_PROJECT = "6c3e2f5a1d4f4e8a0b2c3d4e5f6a7b82"


def identity(project: str, *roles: str) -> dict[str, str]:
    """The headers Keystone's middleware would have set for this project."""
    return {
        "X-Identity-Status": "Confirmed",
        "X-Project-Id": project,
        "X-User-Id": f"user-of-{project[:8]}",
        "X-Roles": ",".join(("member", "reader", *roles)),
    }


ADMIN = identity(ADMIN_PROJECT, "admin")

# The stock Keystone pipeline without `authtoken`; `fistest` is the flavor
# glance-api.conf names.
PASTE_INI = """\
[composite:glance-api-fistest]
paste.composite_factory = glance.api:root_app_factory
/: api

[composite:api]
paste.composite_factory = glance.api:pipeline_factory
fistest = cors http_proxy_to_wsgi versionnegotiation osprofiler context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory

[filter:versionnegotiation]
paste.filter_factory = \
glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
"""


def api_conf(root: Path) -> str:
    return f"""\
[DEFAULT]
node_staging_uri = file://{root / "staging"}

[database]
connection = sqlite:///{root / "glance.sqlite"}

[glance_store]
stores = file
default_store = file
filesystem_store_datadir = {root / "store"}/

[paste_deploy]
flavor = fistest
config_file = {root / "glance-api-paste.ini"}

[oslo_concurrency]
lock_path = {root / "locks"}
"""


def uwsgi_ini(port: int) -> str:
    return f"""\
[uwsgi]
module = glance.wsgi.api:application
http-socket = 127.0.0.1:{port}
master = true
processes = 2
lazy-apps = true
die-on-term = true
need-app = true
enable-threads = true
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Glance:
    endpoint: str

    def create_image(self, project: str, visibility: str, **extra: str) -> str:
        """Create an image record as `project`; return its id."""
        headers = identity(project, "admin") if visibility == "public" else {}
        response = httpx.post(
            f"{self.endpoint}/v2/images",
            headers=headers or identity(project),
            json={"name": f"{visibility}-image", "visibility": visibility, **extra},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        image_id: str = response.json()["id"]
        return image_id

    def set_visibility(self, project: str, image_id: str, visibility: str) -> None:
        patch = [{"op": "replace", "path": "/visibility", "value": visibility}]
        response = httpx.patch(
            f"{self.endpoint}/v2/images/{image_id}",
            headers={
                **identity(project),
                "Content-Type": "application/openstack-images-v2.1-json-patch",
            },
            json=patch,
            timeout=30,
        )
        assert response.status_code == 200, response.text


def _glance_missing(reason: str) -> None:
    if os.environ.get("FIS_REQUIRE_GLANCE") == "1":
        pytest.fail(f"Glance is required (FIS_REQUIRE_GLANCE=1) but {reason}")
    pytest.skip(f"{reason}; run scripts/setup-glance.sh to run these tests")


def _prepare(root: Path, env: dict[str, str]) -> None:
    for folder in ("staging", "store", "locks"):
        (root / folder).mkdir()
    (root / "glance-api.conf").write_text(api_conf(root))
    (root / "glance-api-paste.ini").write_text(PASTE_INI)

    sync = subprocess.run(
        [
            str(GLANCE_VENV / "bin" / "glance-manage"),
            "--config-file",
            str(root / "glance-api.conf"),
            "db_sync",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert sync.returncode == 0, f"glance-manage db_sync failed:\n{sync.stderr}"


def _wait_until_up(process: subprocess.Popen[Any], endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uWSGI exited with {process.returncode}:\n{log.read_text()}")
        try:
            # The version document answers 300 Multiple Choices once up.
            httpx.get(f"{endpoint}/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"Glance did not answer within {START_SECONDS} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # die-on-term: the master stops its workers and exits
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


@pytest.fixture(scope="session")
def glance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Glance]:
    """A Glance API on a free loopback port, with an empty SQLite database."""
    if not (GLANCE_VENV / "bin" / "uwsgi").exists():
        _glance_missing(f"{GLANCE_VENV}/bin/uwsgi does not exist")

    root = tmp_path_factory.mktemp("glance")
    env = {**os.environ, "OS_GLANCE_CONFIG_DIR": str(root)}
    env.pop("VIRTUAL_ENV", None)
    _prepare(root, env)

    port = free_port()
    (root / "uwsgi.ini").write_text(uwsgi_ini(port))
    log = root / "uwsgi.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GLANCE_VENV / "bin" / "uwsgi"), "--ini", str(root / "uwsgi.ini")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, endpoint, log)
        yield Glance(endpoint)
    finally:
        _stop(process)


@pytest.fixture
def admin_catalog(glance: Glance) -> Iterator[GlanceImageCatalog]:
    catalog = GlanceImageCatalog(glance.endpoint, headers=ADMIN)
    yield catalog
    catalog.close()


def test_catalog_reads_owner_and_visibility_of_two_projects_images(
    glance: Glance, admin_catalog: GlanceImageCatalog
) -> None:
    created = {
        glance.create_image(PROJECT_A, "private"): (PROJECT_A, Visibility.PRIVATE),
        glance.create_image(PROJECT_A, "community"): (PROJECT_A, Visibility.COMMUNITY),
        glance.create_image(PROJECT_B, "shared"): (PROJECT_B, Visibility.SHARED),
        glance.create_image(PROJECT_B, "public"): (PROJECT_B, Visibility.PUBLIC),
    }

    for image_id, (owner, visibility) in created.items():
        found = admin_catalog.get(image_id)
        assert found == VmImage(image_id, owner, visibility, f"{visibility}-image")


def test_catalog_sees_a_visibility_change_at_once(
    glance: Glance, admin_catalog: GlanceImageCatalog
) -> None:
    image_id = glance.create_image(PROJECT_A, "private")
    before = admin_catalog.get(image_id)

    glance.set_visibility(PROJECT_A, image_id, "shared")
    after = admin_catalog.get(image_id)

    assert before is not None and before.visibility is Visibility.PRIVATE
    assert after is not None and after.visibility is Visibility.SHARED


def test_catalog_gives_none_for_an_unknown_image(
    admin_catalog: GlanceImageCatalog,
) -> None:
    assert admin_catalog.get("00000000-0000-4000-8000-000000000000") is None


def test_catalog_without_admin_role_cannot_see_other_projects_private_images(
    glance: Glance,
) -> None:
    # Why the service's Glance credentials need the admin role.
    image_id = glance.create_image(PROJECT_A, "private")
    catalog = GlanceImageCatalog(glance.endpoint, headers=identity(PROJECT_B))

    assert catalog.get(image_id) is None


def test_catalog_without_credentials_is_unavailable_and_says_why(
    glance: Glance,
) -> None:
    image_id = glance.create_image(PROJECT_A, "private")
    catalog = GlanceImageCatalog(glance.endpoint)

    with pytest.raises(CatalogUnavailable, match="refused the service's credentials"):
        catalog.get(image_id)


def test_catalog_on_a_closed_port_is_unavailable() -> None:
    catalog = GlanceImageCatalog(f"http://127.0.0.1:{free_port()}", headers=ADMIN)

    with pytest.raises(CatalogUnavailable, match="cannot be reached") as caught:
        catalog.get("00000000-0000-4000-8000-000000000000")

    assert isinstance(caught.value.__cause__, httpx.ConnectError)
