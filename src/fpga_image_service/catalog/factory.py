"""Open the image catalog the settings name."""

from __future__ import annotations

from fpga_image_service.catalog.base import ImageCatalog
from fpga_image_service.catalog.glance import GlanceImageCatalog
from fpga_image_service.catalog.local import LocalImageCatalog
from fpga_image_service.persistence.database import Database
from fpga_image_service.settings import SettingsError

CATALOG_KINDS = ("local", "glance")


def open_catalog(
    kind: str, db: Database, glance_endpoint: str, glance_token: str
) -> ImageCatalog:
    """The embedded catalog on `db` ("local"), or a Glance one ("glance")."""
    if kind == "local":
        return LocalImageCatalog(db)
    if kind != "glance":
        raise SettingsError(
            f"--catalog (FIS_CATALOG) must be one of {', '.join(CATALOG_KINDS)}"
        )
    if not glance_endpoint.startswith(("http://", "https://")):
        raise SettingsError(
            "--glance-endpoint (FIS_GLANCE_ENDPOINT) must be an http(s) URL with "
            "--catalog glance"
        )

    headers = {"X-Auth-Token": glance_token} if glance_token else {}
    return GlanceImageCatalog(glance_endpoint, headers=headers)
