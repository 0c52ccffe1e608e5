"""A throwaway PostgreSQL cluster for the test suite: initdb and pg_ctl under a temporary folder,
run as an unprivileged user when the suite runs as root (PostgreSQL refuses root). Each test
gets its own database, cloned from a migrated template."""

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.servers import free_port

UNPRIVILEGED = "nobody"


def find_bin_dir() -> Path | None:
    """Debian's PostgreSQL binaries (the newest version), or TALKS_TEST_PG_BIN."""
    configured = os.environ.get("TALKS_TEST_PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class PostgresCluster:
    def __init__(
        self, bin_dir: Path, durable: bool = False, settings: tuple[str, ...] = ()
    ) -> None:
        """`durable`: PostgreSQL's default fsync and commit settings (for benchmarks); tests
        run without them, as nothing needs to outlive the cluster. `settings`: more server
        settings, NAME=VALUE."""
        self.bin_dir = bin_dir
        self.durable = durable
        self.settings = settings
        self.root = Path(tempfile.mkdtemp(prefix="talks-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._names = itertools.count()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, UNPRIVILEGED)
        self.root.chmod(0o700)

    def _run(self, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self._as_root:
            kwargs = dict(user=UNPRIVILEGED, group="nogroup", extra_groups=[])
        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.root,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            **kwargs,  # type: ignore[arg-type]
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self._launch()

    def start_replica(self) -> "PostgresCluster":
        """A streaming standby of this cluster (pg_basebackup -R), on its own port: reads
        only, replaying what the primary writes."""
        replica = PostgresCluster(self.bin_dir, self.durable, self.settings)
        replica._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                     "-D", str(replica.data), "-R", "-X", "stream")  # fmt: skip
        replica._launch()
        return replica

    def _launch(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
        options += "-c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += "".join(f" -c {setting}" for setting in self.settings)
        # -w: pg_ctl returns once the server accepts connections
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres").replace("+psycopg", ""), autocommit=True) as c:
            c.execute(sql)

    def create_template(self) -> None:
        """A migrated empty archive that each test's database is cloned from."""
        from app.store import open_store

        self.admin("CREATE DATABASE talks_template")
        open_store(self.url("talks_template")).dispose()

    def new_database(self) -> str:
        name = f"talks_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE talks_template")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    """`python -m tests.postgres_cluster [DATABASE ...] [-c NAME=VALUE ...]`: a throwaway
    cluster for benchmarks and manual runs, with PostgreSQL's default durability and otherwise
    default settings (or those given, e.g. -c shared_buffers=2GB); creates the databases, prints
    their URLs and stops the cluster on Ctrl-C or SIGTERM."""
    import argparse
    import signal
    import sys

    ap = argparse.ArgumentParser(prog="python -m tests.postgres_cluster")
    ap.add_argument("databases", nargs="*", default=["talks"])
    ap.add_argument("-c", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql")
    cluster = PostgresCluster(bin_dir, durable=True, settings=tuple(args.settings))
    cluster.start()
    for name in args.databases:
        cluster.admin(f"CREATE DATABASE {name}")
        print(cluster.url(name), flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()


if __name__ == "__main__":
    import signal

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    main()
