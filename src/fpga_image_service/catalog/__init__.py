"""VM image catalogs: one protocol, an embedded and a Glance implementation."""

from .base import CatalogUnavailable, ImageCatalog, Visibility, VmImage, is_image_id
from .factory import open_catalog
from .glance import GlanceImageCatalog
from .local import LocalImageCatalog

__all__ = [
    "CatalogUnavailable",
    "GlanceImageCatalog",
    "ImageCatalog",
    "LocalImageCatalog",
    "Visibility",
    "VmImage",
    "is_image_id",
    "open_catalog",
]
