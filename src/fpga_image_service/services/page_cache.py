"""Rendered answers of the detail list and the association query, reused
while the project is unchanged.

Clients poll the detail list: `fis fpga-image-wait`, consoles refreshing a
page, scripts waiting for `active`. A page of 100 images costs the database
far more than the request around it, and most polls find nothing changed.
Each project has a list version in the database that every visible change
raises in its own transaction (queries.touch_list). A page is kept with the
version read *before* it was rendered, and served again only to a request
that reads the same version. A page rendered after a later change is at worst
newer than its version says, never older, so a kept page is never stale.

The association query is kept the same way: an association added or removed
raises the version of the FPGA image's project, which owns the association.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

# The project first, then whatever else selects the answer.
PageKey = tuple[Hashable, ...]


class PageCache:
    """A least-recently-used map of rendered pages with their versions,
    bounded in pages and in bytes."""

    def __init__(
        self,
        max_pages: int = 1024,
        max_bytes: int = 16 << 20,
        max_page_bytes: int = 256 << 10,
    ) -> None:
        self._max_pages = max_pages
        self._max_bytes = max_bytes
        self._max_page_bytes = max_page_bytes
        self._pages: OrderedDict[PageKey, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # PostgreSQL reads run in threads

    def get(self, key: PageKey, version: int) -> bytes | None:
        """The page kept for `key`, if it was rendered at `version`."""
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] != version:
                return None
            self._pages.move_to_end(key)
            return kept[1]

    def put(self, key: PageKey, version: int, body: bytes) -> None:
        if len(body) > self._max_page_bytes:
            return
        with self._lock:
            kept = self._pages.pop(key, None)
            if kept is not None:
                if kept[0] > version:
                    # A request that read a later version got here first.
                    self._pages[key] = kept
                    return
                self._bytes -= len(kept[1])
            self._pages[key] = (version, body)
            self._bytes += len(body)
            while len(self._pages) > self._max_pages or self._bytes > self._max_bytes:
                _, (_, dropped) = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)
