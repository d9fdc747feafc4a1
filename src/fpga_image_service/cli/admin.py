"""`fis admin ...`: the operator's commands for projects, keys and bucket grants.

They work on the database the settings name, directly and without the HTTP
API, and bring its schema up to date first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator

from fpga_image_service import settings as settings_module
from fpga_image_service.cli.common import (
    EXAMPLE_PROJECT_ID,
    Commands,
    add_command,
    format_table,
)
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.settings import Settings

_PROJECT_ID_HELP = "the project's 32-hex-digit id, as `fis admin projects` shows"


@contextlib.contextmanager
def open_projects(settings: Settings) -> Iterator[ProjectService]:
    """The project service on a migrated database, closed on leaving."""
    db = open_database(settings.effective_database_url)
    try:
        migrate(db)
        yield ProjectService(db, settings.image_bucket)
    finally:
        db.close()


def require_project(projects: ProjectService, project_id: str) -> None:
    """Raise InvalidParameter unless a project has this id."""
    if all(known != project_id for known, _ in projects.list_projects()):
        raise InvalidParameter(f"no project has the id {project_id!r}")


def add_commands(commands: Commands) -> None:
    admin = commands.add_parser(
        "admin",
        help="manage projects, access keys and bucket grants",
        description="Manage projects, their access keys and the buckets they may "
        "register from, directly in the service's database.\n\n"
        "example: fis admin project-create team-a",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = admin.add_subparsers(
        dest="admin_command", metavar="VERB", help="what to do"
    )
    verbs.required = True

    create = add_command(
        verbs,
        "project-create",
        run_project_create,
        "create a project and its first access key",
        "Create a project and its first access key pair. The secret key is "
        "printed only this once.",
        "fis admin project-create team-a",
        settings_flags=True,
    )
    create.add_argument("name", metavar="NAME", help="a name unique among projects")

    key = add_command(
        verbs,
        "key-create",
        run_key_create,
        "create another access key for a project",
        "Create another access key pair for a project. The secret key is printed "
        "only this once.",
        f"fis admin key-create {EXAMPLE_PROJECT_ID}",
        settings_flags=True,
    )
    key.add_argument("project_id", metavar="PROJECT_ID", help=_PROJECT_ID_HELP)

    show = add_command(
        verbs,
        "image-show",
        run_image_show,
        "show an FPGA image with what its ingest recorded",
        "Show any project's FPGA image with its provenance: size in bytes, "
        "SHA-256, detected format and the facts its inspection found "
        "(xclbin UUID, platform, part name, ...).",
        "fis admin image-show 4010a32c5c62bad9015c62dc2290002b",
        settings_flags=True,
    )
    show.add_argument("fpga_image_id", metavar="FPGA_IMAGE_ID", help="the image's id")

    add_command(
        verbs,
        "projects",
        run_projects,
        "list the projects",
        "List every project's id and name, oldest first.",
        "fis admin projects",
        settings_flags=True,
    )

    grant = add_command(
        verbs,
        "grant",
        run_grant,
        "let a project register images from a bucket",
        "Let a project register FPGA images from the objects of a bucket.",
        f"fis admin grant {EXAMPLE_PROJECT_ID} obs-fpga",
        settings_flags=True,
    )
    _add_grant_arguments(grant)

    revoke = add_command(
        verbs,
        "revoke",
        run_revoke,
        "take a bucket grant away from a project",
        "Stop a project from registering images from a bucket. Images it already "
        "registered stay.",
        f"fis admin revoke {EXAMPLE_PROJECT_ID} obs-fpga",
        settings_flags=True,
    )
    _add_grant_arguments(revoke)

    grants = add_command(
        verbs,
        "grants",
        run_grants,
        "list bucket grants",
        "List which project may register from which bucket.",
        f"fis admin grants --project-id {EXAMPLE_PROJECT_ID}",
        settings_flags=True,
    )
    grants.add_argument(
        "--project-id",
        default=None,
        metavar="PROJECT_ID",
        help="list only this project's grants",
    )


def _add_grant_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the project and bucket positionals that `grant` and `revoke` take."""
    parser.add_argument("project_id", metavar="PROJECT_ID", help=_PROJECT_ID_HELP)
    parser.add_argument("bucket", metavar="BUCKET", help="the source bucket's name")


def run_project_create(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        project_id, key = projects.create_project(args.name)

    print(
        f"Created project {args.name} (the secret key is shown only this once):\n"
        f"  project_id: {project_id}\n"
        f"  access_key: {key.access_key}\n"
        f"  secret_key: {key.secret_key}"
    )
    return 0


def run_key_create(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        key = projects.add_access_key(args.project_id)

    print(
        f"Created an access key for project {args.project_id} (the secret key is "
        "shown only this once):\n"
        f"  access_key: {key.access_key}\n"
        f"  secret_key: {key.secret_key}"
    )
    return 0


def run_projects(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        rows = projects.list_projects()

    print(format_table(("id", "name"), [{"id": i, "name": n} for i, n in rows]))
    return 0


def run_grant(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        added = projects.grant(args.project_id, args.bucket)

    if added:
        print(f"granted bucket {args.bucket} to project {args.project_id}")
    else:
        print(f"project {args.project_id} already had bucket {args.bucket}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        require_project(projects, args.project_id)
        removed = projects.revoke(args.project_id, args.bucket)

    if removed:
        print(f"revoked bucket {args.bucket} from project {args.project_id}")
    else:
        print(f"project {args.project_id} had no grant of bucket {args.bucket}")
    return 0


def run_grants(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        if args.project_id is not None:
            require_project(projects, args.project_id)
        rows = projects.grants(args.project_id)

    table = [{"project_id": p, "bucket": b} for p, b in rows]
    print(format_table(("project_id", "bucket"), table))
    return 0


def run_image_show(args: argparse.Namespace) -> int:
    with open_projects(settings_module.load(args)) as projects:
        image = projects.find_fpga_image(args.fpga_image_id)
    if image is None:
        raise InvalidParameter(f"no FPGA image has the id {args.fpga_image_id!r}")

    inspection = json.loads(image.inspection) if image.inspection else None
    fields = {
        "id": image.id,
        "project_id": image.project_id,
        "name": image.name,
        "status": image.status.value,
        "message": image.message,
        "location": image.location,
        "size_bytes": image.size_bytes,
        "sha256": image.sha256,
        "format": image.format,
        "metadata": image.metadata,
        "inspection": json.dumps(inspection, indent=2, ensure_ascii=False),
    }
    for name, value in fields.items():
        print(f"{name}: {'' if value is None else value}")
    return 0
