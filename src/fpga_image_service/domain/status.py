"""FPGA image statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class FpgaImageStatus(StrEnum):
    """Statuses as they appear on the wire and in the database."""

    SAVING = "saving"
    ACTIVE = "active"
    ERROR = "error"
    DELETING = "deleting"


TRANSITIONS: dict[FpgaImageStatus, frozenset[FpgaImageStatus]] = {
    FpgaImageStatus.SAVING: frozenset(
        {FpgaImageStatus.ACTIVE, FpgaImageStatus.ERROR, FpgaImageStatus.DELETING}
    ),
    FpgaImageStatus.ACTIVE: frozenset({FpgaImageStatus.DELETING}),
    FpgaImageStatus.ERROR: frozenset({FpgaImageStatus.DELETING}),
    FpgaImageStatus.DELETING: frozenset(),
}


class InvalidTransition(Exception):
    """A status change the table does not allow."""


def check_transition(current: FpgaImageStatus, target: FpgaImageStatus) -> None:
    """Raise InvalidTransition unless `current -> target` is in the table."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"an FPGA image cannot go from {current} to {target}")
