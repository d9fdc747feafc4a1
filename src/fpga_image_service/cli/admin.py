"""`fis admin ...`: the operator's commands for projects, keys and bucket grants.

They work on the database the settings name, directly and without the HTTP
API, and bring its schema up to date first.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TypeAlias

from fpga_image_service import settings as settings_module
from fpga_image_service.cli.common import format_table
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.settings import Settings

# A string: the class is generic only for type checkers.
_Verbs: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

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


def add_commands(commands: _Verbs) -> None:
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

    create = _add_verb(
        verbs,
        "project-create",
        run_project_create,
        "create a project and its first access key",
        "Create a project and its first access key pair. The secret key is "
        "printed only this once.",
        "fis admin project-create team-a",
    )
    create.add_argument("name", metavar="NAME", help="a name unique among projects")

    key = _add_verb(
        verbs,
        "key-create",
        run_key_create,
        "create another access key for a project",
        "Create another access key pair for a project. The secret key is printed "
        "only this once.",
        "fis admin key-create 0123456789abcdef0123456789abcdef",
    )
    key.add_argument("project_id", metavar="PROJECT_ID", help=_PROJECT_ID_HELP)

    _add_verb(
        verbs,
        "projects",
        run_projects,
        "list the projects",
        "List every project's id and name, oldest first.",
        "fis admin projects",
    )

    grant = _add_verb(
        verbs,
        "grant",
        run_grant,
        "let a project register images from a bucket",
        "Let a project register FPGA images from the objects of a bucket.",
        "fis admin grant 0123456789abcdef0123456789abcdef obs-fpga",
    )
    grant.add_argument("project_id", metavar="PROJECT_ID", help=_PROJECT_ID_HELP)
    grant.add_argument("bucket", metavar="BUCKET", help="the source bucket's name")

    revoke = _add_verb(
        verbs,
        "revoke",
        run_revoke,
        "take a bucket grant away from a project",
        "Stop a project from registering images from a bucket. Images it already "
        "registered stay.",
        "fis admin revoke 0123456789abcdef0123456789abcdef obs-fpga",
    )
    revoke.add_argument("project_id", metavar="PROJECT_ID", help=_PROJECT_ID_HELP)
    revoke.add_argument("bucket", metavar="BUCKET", help="the source bucket's name")

    grants = _add_verb(
        verbs,
        "grants",
        run_grants,
        "list bucket grants",
        "List which project may register from which bucket.",
        "fis admin grants --project-id 0123456789abcdef0123456789abcdef",
    )
    grants.add_argument(
        "--project-id",
        default=None,
        metavar="PROJECT_ID",
        help="list only this project's grants",
    )


def _add_verb(
    verbs: _Verbs,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    summary: str,
    description: str,
    example: str,
) -> argparse.ArgumentParser:
    parser = verbs.add_parser(
        name,
        help=summary,
        description=f"{description}\n\nexample: {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings_module.add_arguments(parser)
    parser.set_defaults(handler=handler)
    return parser


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
