"""`fis serve`, `fis worker` and `fis migrate`: the service's own processes."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
from pathlib import Path

from fpga_image_service import logs
from fpga_image_service import settings as settings_module
from fpga_image_service.client import CLIENT_FILE, ClientConfig
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.runtime import Runtime
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.settings import Settings

log = logging.getLogger(__name__)

FIRST_PROJECT = "default"


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the HTTP API and the ingest workers in one process",
        description="Run the HTTP API and ingest workers. On the first start it "
        "creates a project and an access key, prints them once and saves them "
        "for the client commands.\n\nexample: fis serve --port 8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings_module.add_arguments(serve)
    serve.set_defaults(handler=run_serve)

    worker = commands.add_parser(
        "worker",
        help="run ingest workers only (scale-out)",
        description="Run ingest workers against the configured database and "
        "storage.\n\nexample: FIS_DATABASE_URL=postgresql://fis@db/fis fis worker",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings_module.add_arguments(worker)
    worker.set_defaults(handler=run_worker)

    mig = commands.add_parser(
        "migrate",
        help="create or upgrade the database schema",
        description="Apply pending schema migrations.\n\nexample: fis migrate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings_module.add_arguments(mig)
    mig.set_defaults(handler=run_migrate)


def client_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / CLIENT_FILE


def bootstrap(runtime: Runtime) -> None:
    """On the very first start, create a project and key and print them once.

    On later starts only the endpoint in the client file is brought up to
    date, so that the client commands follow a changed host or port.
    """
    settings = runtime.settings
    endpoint = f"http://{settings.host}:{settings.port}"
    path = client_file(settings)
    projects = ProjectService(runtime.db, settings.image_bucket)
    if projects.list_projects():
        if path.exists():
            config = ClientConfig.load(path)
            if config.endpoint != endpoint:
                dataclasses.replace(config, endpoint=endpoint).save(path)
        return

    project_id, key = projects.create_project(FIRST_PROJECT)
    ClientConfig(
        endpoint, project_id, key.access_key, key.secret_key, settings.region
    ).save(path)
    print(
        "First start: created project and access key (shown only this once).\n"
        f"  project_id: {project_id}\n"
        f"  access_key: {key.access_key}\n"
        f"  secret_key: {key.secret_key}\n"
        f"Saved for the client commands in {path}",
        flush=True,
    )


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from fpga_image_service.api.app import create_app

    settings = settings_module.load(args)
    logs.configure(settings.log_level)
    runtime = Runtime(settings)
    bootstrap(runtime)
    app = create_app(runtime)
    log.info(
        "service_starting host=%s port=%d database=%s storage=%s",
        settings.host,
        settings.port,
        runtime.db.dialect,
        settings.storage,
    )
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False
    )
    return 0


def run_worker(args: argparse.Namespace) -> int:
    settings = settings_module.load(args)
    logs.configure(settings.log_level)
    runtime = Runtime(settings, workers=0)
    runtime.commits.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    count = max(settings.ingest_workers, 1)
    threads = [
        threading.Thread(
            target=runtime.new_worker().run, args=(stop,), name=f"fis-worker-{n}"
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runtime.commits.stop()
    runtime.db.close()
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    settings = settings_module.load(args)
    logs.configure(settings.log_level)
    db = open_database(settings.effective_database_url)
    applied = migrate(db)
    db.close()
    print(
        f"applied {len(applied)} migration(s)" + "".join(f"\n  {n}" for n in applied),
        file=sys.stdout,
    )
    return 0
