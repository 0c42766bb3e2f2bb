"""Times `manage.py load_demo --projects N` on PostgreSQL: a fresh database for each run, then a re-run.

    DATABASE_URL=postgres://user:password@127.0.0.1:5432/fabrique_bench \\
        .venv/bin/python benchmarks/load_demo.py [--projects 100000] [--runs 3]

The database named in DATABASE_URL is dropped and re-created before each run, so its name must end with
"_bench"; the role needs CREATEDB. Each run: `migrate`, then the timed `load_demo` (the whole command,
Python start-up included), then the timed idempotent re-run on the same database.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"Refus : la base {name!r} serait supprimée ; son nom doit finir par _bench.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*args: str) -> float:
    """Seconds taken by `manage.py <args>`; stops the benchmark if the command fails."""
    started = time.monotonic()
    command = [sys.executable, "manage.py", *args]  # our own arguments, no shell
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL doit désigner une base PostgreSQL (postgres://…/nom_bench).")

    fresh, rerun = [], []
    for run in range(1, options.runs + 1):
        recreate(url)
        manage("migrate", "--verbosity", "0")
        fresh.append(manage("load_demo", "--projects", str(options.projects)))
        rerun.append(manage("load_demo", "--projects", str(options.projects)))
        print(f"run {run}: fresh database {fresh[-1]:.1f} s, re-run {rerun[-1]:.1f} s", flush=True)
    print(
        f"load_demo --projects {options.projects}: median {statistics.median(fresh):.1f} s "
        f"on a fresh database (min {min(fresh):.1f}, max {max(fresh):.1f}); "
        f"re-run median {statistics.median(rerun):.1f} s"
    )


if __name__ == "__main__":
    main()
