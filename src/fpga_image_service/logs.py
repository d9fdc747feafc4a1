"""Log set-up: one line per event, `event key=value ...`, with the request id."""

from __future__ import annotations

import logging
import sys

from fpga_image_service.api.request_id import RequestIdLogFilter

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s request_id=%(request_id)s"


def configure(level: str) -> None:
    """Send the service's logs to stderr at `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RequestIdLogFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log repeats what our own lines say, without the ids.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
