from __future__ import annotations

from collections.abc import Iterator

import pytest

from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    migrate(database)
    yield database
    database.close()
