"""The typed, frozen settings object and its help lines.

Every field can be set by a command-line flag (`--image-bucket`) or a `FIS_*`
environment variable (`FIS_IMAGE_BUCKET`); a flag wins over the environment,
which wins over the default. Values are parsed strictly: a bad value stops the
start-up with a one-line message naming the flag and the variable.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "fpga-image-service")


def _opt(default: Any, help_line: str, *, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"help": help_line, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """Everything the service reads at start-up; passed explicitly, never global."""

    data_dir: str = _opt(
        _default_data_dir(),
        "folder for the embedded database, local buckets, image store and "
        "client credentials",
    )
    host: str = _opt("127.0.0.1", "address the HTTP API listens on")
    port: int = _opt(8080, "port the HTTP API listens on")
    database_url: str = _opt(
        "",
        "database: empty for SQLite in the data folder, or "
        "postgresql://user@host:port/dbname",
    )
    storage: str = _opt(
        "local",
        "object storage for source buckets and the image store",
        choices=("local", "s3"),
    )
    s3_endpoint: str = _opt("", "S3-compatible endpoint URL (OBS, Ceph RGW, MinIO)")
    s3_region: str = _opt("us-east-1", "S3 region name")
    s3_access_key: str = _opt("", "S3 access key (empty: the boto3 default chain)")
    s3_secret_key: str = _opt("", "S3 secret key")
    s3_addressing: str = _opt(
        "path", "S3 bucket addressing style", choices=("path", "virtual")
    )
    image_bucket: str = _opt("fis-images", "bucket of the service's own image store")
    region: str = _opt("local-1", "region name this service answers for")
    catalog: str = _opt(
        "local",
        "where VM images come from: the service's own catalog or an OpenStack "
        "Image service (Glance v2)",
        choices=("local", "glance"),
    )
    glance_endpoint: str = _opt(
        "", "Glance endpoint URL, e.g. http://controller:9292 (with --catalog glance)"
    )
    glance_token: str = _opt(
        "",
        "token sent to Glance as X-Auth-Token; needs a role that reads every "
        "project's images",
    )
    max_body_bytes: int = _opt(64 * 1024, "largest request body accepted, in bytes")
    max_image_bytes: int = _opt(
        4 * 1024**3, "largest FPGA logic file accepted, in bytes"
    )
    ingest_workers: int = _opt(
        1, "ingest threads started by `fis serve` (0: run `fis worker` separately)"
    )
    lease_seconds: float = _opt(
        30.0, "how long an ingest claim lasts without a heartbeat"
    )
    ingest_attempts: int = _opt(
        5, "attempts at copying an image before it ends in error"
    )
    retry_base_seconds: float = _opt(
        1.0, "first retry delay after a transient storage failure (doubles)"
    )
    poll_seconds: float = _opt(0.5, "how often an idle worker looks for work")
    removal_share: float = _opt(
        0.002,
        "largest share of a worker's time spent removing deleted images while "
        "requests are answered in its process (0 < share <= 1), so that a burst "
        "of deletes leaves the API its CPU; without requests, full speed",
    )
    signature_skew_seconds: int = _opt(
        900, "largest accepted difference between X-Sdk-Date and the clock"
    )
    log_level: str = _opt(
        "INFO", "log level", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )

    @property
    def sqlite_path(self) -> Path:
        return Path(self.data_dir) / "fis.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"


class SettingsError(ValueError):
    """A flag or environment variable holds a value that cannot be used."""


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _env(name: str) -> str:
    return "FIS_" + name.upper()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per settings field, each with its help line and variable."""
    for f in dataclasses.fields(Settings):
        help_line = f"{f.metadata['help']} (env {_env(f.name)}, default {f.default})"
        parser.add_argument(_flag(f.name), dest=f.name, default=None, help=help_line)


def _parse(f: dataclasses.Field[Any], raw: str) -> Any:
    choices = f.metadata["choices"]
    if choices and raw not in choices:
        raise SettingsError(f"must be one of {', '.join(choices)}")
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    try:
        if kind == "int":
            value: Any = int(raw, 10)
        elif kind == "float":
            value = float(raw)
        else:
            return raw
    except ValueError as exc:
        raise SettingsError(f"is not a valid {kind}: {raw!r}") from exc
    if value < 0:
        raise SettingsError(f"must not be negative: {raw!r}")
    return value


def load(
    args: argparse.Namespace | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings from flags, then `FIS_*` variables, then defaults."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        raw = getattr(args, f.name, None) if args is not None else None
        source = _flag(f.name)
        if raw is None:
            raw = environ.get(_env(f.name))
            source = _env(f.name)
        if raw is None:
            continue
        try:
            values[f.name] = _parse(f, raw)
        except SettingsError as exc:
            raise SettingsError(f"{source} {exc}") from None
    settings = Settings(**values)
    if not 0 < settings.removal_share <= 1:
        raise SettingsError(
            "--removal-share (FIS_REMOVAL_SHARE) must be above 0 and at most 1"
        )
    if settings.storage == "s3" and not settings.s3_endpoint:
        # Without an endpoint boto3 would talk to AWS, which is rarely what an
        # operator of a private FPGA cloud means.
        raise SettingsError("--s3-endpoint (FIS_S3_ENDPOINT) is needed with s3")
    if bool(settings.s3_access_key) != bool(settings.s3_secret_key):
        raise SettingsError(
            "--s3-access-key and --s3-secret-key (FIS_S3_ACCESS_KEY, "
            "FIS_S3_SECRET_KEY) must be given together"
        )
    return settings
