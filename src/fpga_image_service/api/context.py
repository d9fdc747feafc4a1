"""What the handlers share: the services and settings of one running app."""

from __future__ import annotations

from dataclasses import dataclass

from fpga_image_service.api.http import Response
from fpga_image_service.auth.authenticator import Authenticator
from fpga_image_service.services.associations import AssociationService
from fpga_image_service.services.fpga_images import FpgaImageService
from fpga_image_service.settings import Settings


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    authenticator: Authenticator
    fpga_images: FpgaImageService
    associations: AssociationService
    openapi: Response
