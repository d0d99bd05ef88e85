"""A throwaway PostgreSQL server for the tests and benchmarks: initdb in a temporary folder,
started on a free port with its socket in that folder, stopped and removed afterwards.

The server refuses to run as root, so as root it runs as an unprivileged system user: `postgres`
(made by the Debian package) or else `fieldvisit-pg`, created once with `useradd --system`.
`FIELDVISIT_TEST_PG_URL` points the tests at a server of your own instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

URL_VARIABLE = "FIELDVISIT_TEST_PG_URL"
ALLOW_MISSING_VARIABLE = "FIELDVISIT_ALLOW_NO_PG"
SERVER_ROOT_VARIABLE = "FIELDVISIT_CI_PG_ROOT"  # where Debian keeps server versions; .ci/postgres-server.sh reads it too
SERVICE_USERS = ("postgres", "fieldvisit-pg")


class NoServer(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_bin() -> Path:
    """The newest installed server's bin folder (Debian's layout, else `pg_ctl` on PATH)."""
    root = os.environ.get(SERVER_ROOT_VARIABLE, "/usr/lib/postgresql")
    found = sorted(glob.glob(f"{root}/*/bin/initdb"), key=lambda path: int(Path(path).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise NoServer("no PostgreSQL server found (initdb, pg_ctl); install the OS package `postgresql`")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _service_user() -> str | None:
    """None when not root; else a user the server may run as, created when there is none."""
    if os.geteuid() != 0:
        return None
    for name in SERVICE_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USERS[-1]], check=True)
    return SERVICE_USERS[-1]


@dataclass
class Cluster:
    """A running server; `url` reaches its `fieldvisit` database over the unix socket."""

    folder: Path
    port: int
    user: str | None
    bin: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        role = self.user or pwd.getpwuid(os.geteuid()).pw_name
        return f"postgresql://{role}@/fieldvisit?host={self.folder}&port={self.port}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.folder)

    def start(self) -> Cluster:
        # UTF-8 with a C.UTF-8 character class: pg_trgm then treats Chinese characters as word characters.
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "--encoding=UTF8", "--locale=C.UTF-8", "--auth=trust", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses='' -c fsync=on -c max_connections=200 -c shared_buffers=256MB"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        try:
            self._run(str(self.bin / "createdb"), "-h", str(self.folder), "-p", str(self.port), "fieldvisit")
        except BaseException:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            raise
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb and start a server in a new folder under the system temp dir (not pytest's, which
    is private to root: the server's user must reach its socket and data)."""
    binaries = server_bin()
    user = _service_user()
    folder = Path(tempfile.mkdtemp(prefix="fieldvisit-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(folder, _free_port(), user, binaries)
    try:
        return cluster.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
