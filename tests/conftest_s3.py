"""A real S3-protocol HTTP server on 127.0.0.1 for the test tiers that need one.

It is moto's standalone server, run in a thread of the test process. Import
`s3_server` into a conftest.py to use it as a session fixture, or call
`start_s3_server` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto.server import ThreadedMotoServer

#: Moto accepts any credentials; these only have to be present.
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


def start_s3_server() -> tuple[str, Callable[[], None]]:
    """Start a server on a free port; return its endpoint URL and its stop function."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}", server.stop


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of an S3 server shared by the whole test session."""
    endpoint_url, stop = start_s3_server()
    yield endpoint_url
    stop()
