"""`fis bucket-create`, `bucket-put` and `bucket-list`: the source buckets.

They reach the source object store the settings configure (a folder under the
data folder by default) directly, so that a user of the embedded default can
stage logic files without any other tool. A bucket created here is granted to
the project of the client file.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from fpga_image_service import settings as settings_module
from fpga_image_service.cli.admin import open_projects, require_project
from fpga_image_service.cli.common import (
    CommandError,
    Commands,
    add_client_file_argument,
    add_command,
    client_file_path,
    load_client_config,
)
from fpga_image_service.domain.location import check_bucket_name
from fpga_image_service.runtime import open_object_store
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.storage import ObjectStore

#: The folder of the source buckets under the data folder; `Runtime` uses it too.
SOURCE_FOLDER = "buckets"

CHUNK_SIZE = 1 << 20

_BUCKET_FIELD = "bucket"


def add_commands(commands: Commands) -> None:
    create = add_command(
        commands,
        "bucket-create",
        run_create,
        "create a source bucket granted to your project",
        "Create a bucket in the source object store and grant it to the project "
        "of the client file, so that its files can be registered.",
        "fis bucket-create obs-fpga",
        settings_flags=True,
    )
    create.add_argument(
        "bucket",
        metavar="BUCKET",
        help="3-63 lowercase letters, digits, '.' and '-', as OBS names buckets",
    )
    add_client_file_argument(create)

    put = add_command(
        commands,
        "bucket-put",
        run_put,
        "upload a local file into a bucket",
        "Stream a local file into a bucket of the source object store; the "
        "object becomes visible whole or not at all.",
        "fis bucket-put obs-fpga ./pr_ul.bin",
        settings_flags=True,
    )
    put.add_argument("bucket", metavar="BUCKET", help="an existing bucket")
    put.add_argument("file", metavar="FILE", type=Path, help="the local file")
    put.add_argument(
        "--key",
        default=None,
        metavar="KEY",
        help="object key in the bucket (default: the file's base name)",
    )

    listing = add_command(
        commands,
        "bucket-list",
        run_list,
        "list the objects in a bucket",
        "Print the keys of a bucket's objects, one a line, in sorted order.",
        "fis bucket-list obs-fpga",
        settings_flags=True,
    )
    listing.add_argument("bucket", metavar="BUCKET", help="an existing bucket")


def create_granted_bucket(
    store: ObjectStore, projects: ProjectService, project_id: str, bucket: str
) -> bool:
    """Create `bucket` granted to the project; False if it already was both.

    A bucket that exists without a grant is refused: creating it again must not
    hand another project's bucket to this one.
    """
    require_project(projects, project_id)
    if store.bucket_exists(bucket):
        if (project_id, bucket) in projects.grants(project_id):
            return False
        raise CommandError(
            f"bucket {bucket} already exists and is not granted to project "
            f"{project_id}; choose another name, or ask an operator to run "
            f"`fis admin grant {project_id} {bucket}`"
        )

    # Grant first: it refuses the image store's own bucket before anything
    # is created, and is undone if the creation fails.
    added = projects.grant(project_id, bucket)
    try:
        store.create_bucket(bucket)
    except BaseException:
        if added:
            projects.revoke(project_id, bucket)
        raise
    return True


def run_create(args: argparse.Namespace) -> int:
    check_bucket_name(args.bucket, field=_BUCKET_FIELD)
    settings = settings_module.load(args)
    project_id = load_client_config(client_file_path(args)).project_id

    store = open_object_store(settings, SOURCE_FOLDER)
    with open_projects(settings) as projects:
        created = create_granted_bucket(store, projects, project_id, args.bucket)

    if created:
        print(f"created bucket {args.bucket}, granted to project {project_id}")
    else:
        print(f"bucket {args.bucket} already exists, granted to project {project_id}")
    return 0


def _file_chunks(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK_SIZE):
                yield chunk
    except OSError as exc:
        # Raised inside the store's write, which then leaves nothing behind.
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc


def run_put(args: argparse.Namespace) -> int:
    check_bucket_name(args.bucket, field=_BUCKET_FIELD)
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f'"{path}" is not an existing regular file')
    key: str = path.name if args.key is None else args.key

    store = open_object_store(settings_module.load(args), SOURCE_FOLDER)
    size = store.write(args.bucket, key, _file_chunks(path))

    print(f"stored {size} bytes as {args.bucket}:{key}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    check_bucket_name(args.bucket, field=_BUCKET_FIELD)
    store = open_object_store(settings_module.load(args), SOURCE_FOLDER)

    for key in store.list_keys(args.bucket):
        print(key)
    return 0
