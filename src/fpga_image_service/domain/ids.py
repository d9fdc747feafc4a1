"""Identifiers: 32 lowercase hex characters, as the cloud's FPGA image ids."""

from __future__ import annotations

import os
import random

# A Mersenne Twister seeded from the OS once per process (and again after a
# fork): 128 random bits make collisions negligible, and drawing them costs no
# system call. os.urandom on every request was measurable on the hot path.
# These ids name things; they are not secrets.
_generator = random.Random()
os.register_at_fork(after_in_child=_generator.seed)


def new_id() -> str:
    """A fresh 32-hex-character id."""
    return f"{_generator.getrandbits(128):032x}"
