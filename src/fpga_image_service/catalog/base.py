"""The image-catalog protocol: where the service learns about VM images.

FPGA images are associated with VM images; the catalog answers who owns a VM
image and how visible it is. The embedded catalog keeps VM images in the
service's own database; the Glance one asks an OpenStack Image service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from fpga_image_service.errors import ServiceUnavailable

# The canonical text form, lowercase only: the form Glance and ECS give ids in,
# so one VM image never has two spellings.
_IMAGE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Visibility(StrEnum):
    """Who may use a VM image, in Glance's words."""

    PRIVATE = "private"
    SHARED = "shared"
    COMMUNITY = "community"
    PUBLIC = "public"


@dataclass(frozen=True)
class VmImage:
    """A VM image as the catalog describes it."""

    id: str  # lowercase UUID
    owner: str  # project id; empty when no project owns the image
    visibility: Visibility
    name: str = ""


class ImageCatalog(Protocol):
    """Looks VM images up by id."""

    def get(self, image_id: str) -> VmImage | None:
        """The VM image, or None when it does not exist.

        Raises CatalogUnavailable when the catalog cannot answer.
        """
        ...


class CatalogUnavailable(ServiceUnavailable):
    """The image catalog cannot be reached or refuses the service."""


def is_image_id(value: str) -> bool:
    """Whether `value` is a VM image id: a UUID in lowercase canonical form."""
    return _IMAGE_ID.fullmatch(value) is not None
