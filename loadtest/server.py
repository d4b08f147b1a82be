"""The databases the load and fault tests run against, and the gunicorn server in front of
them: loopback only, each started and stopped (or killed) by the tests themselves."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cems_load"
HOST = "127.0.0.1"


@dataclass
class Database:
    """One database under test: its name in reports and the environment of every process
    that uses it (management commands, gunicorn)."""

    label: str
    env: dict[str, str]
    var_dir: Path
    url: str = ""

    def manage(self, *args: str, quiet: bool = True) -> str:
        """Run a management command against this database; its output."""
        command = [sys.executable, "manage.py", *args]
        done = subprocess.run(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"manage.py {' '.join(args)} failed on {self.label}")
        if not quiet:
            print(done.stdout, end="", flush=True)
        return done.stdout

    def module(self, name: str, *args: str) -> str:
        """Run `python -m <name>` (a loadtest module that sets Django up) against it."""
        command = [sys.executable, "-m", name, *args]
        done = subprocess.run(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"python -m {name} failed on {self.label}")
        return done.stdout

    def close(self) -> None:
        """Remove the run's folder (database, logs), unless LOADTEST_KEEP is set."""
        if os.environ.get("LOADTEST_KEEP"):
            print(f"   {self.label}'s database and logs are kept in {self.var_dir}", flush=True)
            return
        shutil.rmtree(self.var_dir, ignore_errors=True)


def _base_env(var_dir: str) -> dict[str, str]:
    env = {**os.environ, "CEMS_VAR_DIR": var_dir, "DEBUG": "false", "ALLOWED_HOSTS": HOST,
           "DJANGO_SETTINGS_MODULE": "cems.settings", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    for name in ("DATABASE_URL", "CEMS_HTTPS", "SECURE_COOKIES", "CEMS_REDIS_URL"):
        env.pop(name, None)
    return env


def sqlite() -> Database:
    var_dir = tempfile.mkdtemp(prefix="cems-loadtest-sqlite-")
    return Database("SQLite", _base_env(var_dir), Path(var_dir))


def postgres_url() -> str:
    url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    return "" if url.lower() in ("", "none", "off") else url


def postgres(url: str) -> Database:
    var_dir = tempfile.mkdtemp(prefix="cems-loadtest-pg-")
    env = {**_base_env(var_dir), "DATABASE_URL": url}
    return Database("PostgreSQL", env, Path(var_dir), url=url)


def _create_postgres_database(url: str) -> None:
    """Create the database of the URL if it does not exist (seed_demo --reset empties it)."""
    import psycopg
    from psycopg import sql

    name = psycopg.conninfo.conninfo_to_dict(url).get("dbname")
    if not name:
        raise SystemExit(f"LOADTEST_DATABASE_URL names no database: {url}")
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))


def databases() -> list[Database]:
    """SQLite in a fresh var dir, then PostgreSQL unless LOADTEST_DATABASE_URL=none."""
    found = [sqlite()]
    if url := postgres_url():
        found.append(postgres(url))
    return found


def set_up(db: Database) -> float:
    """Migrate and seed the demo school at the seed's scale; the seconds it took."""
    started = time.monotonic()
    if db.url:
        _create_postgres_database(db.url)
    db.manage("migrate", "--noinput")
    db.manage("seed_demo", "--reset")
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """gunicorn serving CEMS on a free loopback port, in a process group of its own so that
    the master and its workers are stopped, or killed, together."""

    def __init__(self, db: Database, log_name: str) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.error_log = db.var_dir / f"{log_name}-gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Server":
        workers = os.environ.get("LOADTEST_WORKERS", "4")
        threads = os.environ.get("LOADTEST_THREADS", "2")
        command = [str(BIN / "gunicorn"), "loadtest.wsgi:application",
                   "--bind", f"{HOST}:{self.port}", "--workers", workers, "--threads", threads,
                   "--timeout", "120", "--error-logfile", str(self.error_log),
                   # Idle connections are kept longer than a user waits between requests
                   # (up to 30 s), as a proxy in front would: with gunicorn's 2 s a client
                   # may send on a connection the server is closing (a reset, not an answer).
                   "--keep-alive", "75",
                   "--capture-output", "--preload"]  # fmt: skip
        with open(self.error_log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=ROOT, env=self.db.env, stdout=log, stderr=log, start_new_session=True
            )
        self._wait_ready()
        self._warm_up()
        return self

    def _warm_up(self, rounds: int = 4) -> None:
        """A few requests to every worker, so that none meets the load cold (templates
        compiled, connections opened)."""
        workers = int(os.environ.get("LOADTEST_WORKERS", "4"))
        urls = [f"{self.url}/accounts/login/", f"{self.url}/about/"]

        def fetch(url: str) -> None:
            try:
                with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback
                    answer.read()
            except (urllib.error.URLError, OSError):
                pass

        with ThreadPoolExecutor(max_workers=workers * 2) as pool:
            list(pool.map(fetch, urls * workers * rounds))

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                status = self.process.returncode
                raise SystemExit(f"gunicorn exited ({status}); see {self.error_log}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.kill()
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.error_log}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a crash, nothing cleaned up."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM), killed if it takes more than 30 s."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def log_count(self, text: str) -> int:
        """How many lines of the error log contain the text."""
        if not self.error_log.exists():
            return 0
        with open(self.error_log, encoding="utf-8", errors="replace") as log:
            return sum(text in line for line in log)


@contextmanager
def serving(db: Database, log_name: str) -> Iterator[Server]:
    server = Server(db, log_name).start()
    try:
        yield server
    finally:
        server.stop()
