"""The domain error tree.

Every error the service answers with is one of these classes. Each carries its
wire code, HTTP status and a message a person can act on; `api.envelope` is the
one place that turns them into response bodies. Codes are listed in
docs/errors.md.
"""

from __future__ import annotations


class FisError(Exception):
    """Root of every error that reaches a client."""

    code = "Common.0001"
    status = 500
    #: Authentication failures use the API gateway's body shape instead of
    #: the ECS one, as the real cloud answers them before the service runs.
    gateway_shape = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InternalError(FisError):
    """Something failed that the caller cannot fix."""


class InvalidParameter(FisError):
    """A request field, query parameter or body breaks a rule of the API."""

    code = "Ecs.0005"
    status = 400


class BodyTooLarge(FisError):
    """The request body is over the configured limit."""

    code = "FIS.0001"
    status = 413


class MethodNotAllowed(FisError):
    """The path exists, but not with this method."""

    code = "FIS.0002"
    status = 405


class RouteNotFound(FisError):
    """No API has this path."""

    code = "APIGW.0101"
    status = 404
    gateway_shape = True


class AuthenticationFailed(FisError):
    """The request is not signed, or the signature or key is wrong."""

    code = "APIGW.0301"
    status = 401
    gateway_shape = True


class ProjectMismatch(FisError):
    """A valid key used on a path of another project."""

    code = "Ecs.0023"
    status = 403


class BucketNotGranted(FisError):
    """The project may not read the bucket named in a location."""

    code = "FIS.0101"
    status = 403


class FpgaImageNotFound(FisError):
    """No FPGA image with this id is visible to the project."""

    code = "FIS.0201"
    status = 404


class FpgaImageNotActive(FisError):
    """Only an active FPGA image can be associated."""

    code = "FIS.0202"
    status = 400


class FpgaImageProtected(FisError):
    """An FPGA image with associations cannot be deleted."""

    code = "FIS.0203"
    status = 400


class VmImageNotFound(FisError):
    """The VM image does not exist, or the project cannot see it."""

    code = "Ecs.0031"
    status = 400


class VmImageNotPrivate(FisError):
    """Only private VM images take part in associations."""

    code = "FIS.0302"
    status = 400


class AssociationExists(FisError):
    """The FPGA image and the VM image are already associated."""

    code = "FIS.0303"
    status = 400


class AssociationLimit(FisError):
    """The VM image already has the most FPGA images it may have."""

    code = "FIS.0304"
    status = 400


class NotFpgaImageOwner(FisError):
    """Only the project that owns an FPGA image may disassociate it."""

    code = "FIS.0305"
    status = 400


class AssociationNotFound(FisError):
    """The FPGA image and the VM image are not associated."""

    code = "FIS.0306"
    status = 404


class ServiceUnavailable(FisError):
    """A dependency (database, storage) is down; the request may be retried."""

    code = "FIS.0503"
    status = 503
