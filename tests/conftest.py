"""Shared fixtures: every test gets its own database file and user folders, offscreen Qt."""

from __future__ import annotations

import os
import secrets

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.gui.context import AppContext
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import sqlite_url

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("ZHIQIAN_DATA_DIR", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


# --- backends ------------------------------------------------------------------------------------
# The service tests run on SQLite and, when ZHIQIAN_TEST_PG_URL names a PostgreSQL database whose
# role may CREATE DATABASE (.ci/postgres.sh starts one), on PostgreSQL too: the `backend` fixture
# is parametrised for them only. A test about the file itself (pragmas, backups, damaged files,
# the FTS index, files beside the database) asks for `sqlite_db`, `sqlite_empty_db` or `db_path`
# and so runs on SQLite alone.

PG_URL_ENV = "ZHIQIAN_TEST_PG_URL"
PG_TEST_DIRS = ("services",)
SQLITE_ONLY_FIXTURES = frozenset({"db_path", "sqlite_db", "sqlite_empty_db"})
PG_ONLY_FIXTURE = "pg_db"


def _on_postgresql(metafunc: pytest.Metafunc) -> bool:
    if not os.environ.get(PG_URL_ENV):
        return False
    if SQLITE_ONLY_FIXTURES & set(metafunc.fixturenames):
        return False
    parts = Path(str(metafunc.definition.path)).parts
    return "tests" in parts and parts[parts.index("tests") + 1] in PG_TEST_DIRS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Not generated at all (rather than skipped) when there is no server: ids stay as they were.
    if "backend" not in metafunc.fixturenames:
        return
    if PG_ONLY_FIXTURE in metafunc.fixturenames:
        if os.environ.get(PG_URL_ENV):
            metafunc.parametrize("backend", ["postgresql"], scope="function")
    elif _on_postgresql(metafunc):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], scope="function")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def module_backends() -> list[str] | None:
    """`params` for a module-scoped database fixture of a service test (None: SQLite only)."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else None


SETUP = settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")


RUN_PREFIX = "zq_run_"
"""Databases a test run makes on the server: zq_run_<pid>_<random>_<n>."""
RUN_LOCK_SPACE = 0x5A51
"""First key of the runs' advisory locks (two-key locks, apart from the app's one-key lock)."""


class PgServer:
    """Fresh databases on the test server, copied from migrated templates (~30 ms each)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"{RUN_PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
        self.counter = itertools.count(1)
        self.templates: dict[str, str] = {}
        # This run's mark on the server: a session advisory lock, held by this connection for
        # as long as the run lives and released by the server when a killed run's connection
        # goes. Another run finding it free knows the databases with this prefix are leftovers.
        self.holder = self.admin.connect()
        self.holder.execute(
            text("SELECT pg_advisory_lock(:space, hashtext(:prefix))"),
            {"space": RUN_LOCK_SPACE, "prefix": self.prefix},
        )
        self._drop_leftovers()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def _drop_leftovers(self) -> None:
        """Databases of test runs that were killed before they could clean up."""
        with self.admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :p)"),
                {"p": RUN_PREFIX},
            ).scalars()
            for name in list(names):
                prefix = "_".join(name.split("_")[:4])
                if prefix == self.prefix:
                    continue
                free = conn.execute(
                    text("SELECT pg_try_advisory_lock(:space, hashtext(:prefix))"),
                    {"space": RUN_LOCK_SPACE, "prefix": prefix},
                ).scalar_one()
                if not free:
                    continue  # its run is still going
                try:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                finally:
                    conn.execute(
                        text("SELECT pg_advisory_unlock(:space, hashtext(:prefix))"),
                        {"space": RUN_LOCK_SPACE, "prefix": prefix},
                    )

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def template(self, initialised: bool) -> str:
        kind = "init" if initialised else "empty"
        if kind not in self.templates:
            name = f"{self.prefix}_tpl_{kind}"
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{name}"')
            db = open_app_database(self.url_of(name))
            if initialised:
                with db.unit_of_work() as session:
                    settings_service.initialize(session, SETUP)
            db.dispose()
            self.templates[kind] = name
        return self.templates[kind]

    def create(self, *, initialised: bool) -> str:
        template = self.template(initialised)
        name = f"{self.prefix}_{next(self.counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url_of(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.holder.close()
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set (.ci/postgres.sh starts a test server)")
    server = PgServer(url)
    yield server
    server.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "docket.db"


@pytest.fixture
def empty_db(request: pytest.FixtureRequest, backend: str) -> Iterator[Database]:
    """A migrated database with no court settings yet (first start)."""
    if backend == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create(initialised=False)
        db = open_app_database(url)
        yield db
        db.dispose()
        server.drop(url)
    else:
        db = open_app_database(sqlite_url(request.getfixturevalue("db_path")))
        yield db
        db.dispose()


@pytest.fixture
def db(request: pytest.FixtureRequest, backend: str) -> Iterator[Database]:
    """A migrated, initialised database: court 土默特右旗人民法院 (内0221), admin user, holidays."""
    if backend == "postgresql" and "empty_db" not in request.fixturenames:
        # Copied from an initialised template: initialising takes longer than the copy.
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create(initialised=True)
        db = open_app_database(url)
        yield db
        db.dispose()
        server.drop(url)
        return
    empty: Database = request.getfixturevalue("empty_db")
    with empty.unit_of_work() as session:
        settings_service.initialize(session, SETUP)
    yield empty


@pytest.fixture
def sqlite_empty_db(empty_db: Database) -> Database:
    """`empty_db`, always an SQLite file (for tests about the file itself)."""
    assert empty_db.is_sqlite
    return empty_db


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    """`db`, always an SQLite file (for tests about the file itself)."""
    assert db.is_sqlite
    return db


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, backend: str) -> Database:
    """`db` on the PostgreSQL test server (for what only a server does: concurrent sessions)."""
    if backend != "postgresql":
        pytest.skip(f"needs a PostgreSQL test server ({PG_URL_ENV}; .ci/postgres.sh starts one)")
    db: Database = request.getfixturevalue("db")
    return db


@pytest.fixture
def admin(db: Database) -> Actor:
    with db.reader() as session:
        return default_actor(session)


def make_case_input(
    n: int = 1,
    *,
    obligor: str = "王某某",
    phone: str | None = "13912345678",
    amount: str = "12345.67",
    received: date = date(2026, 11, 20),
    **extra: object,
) -> CaseInput:
    """A valid case form: one applicant, one obligor with a phone, a money obligation."""
    data = CaseInput(
        original_case_no=f"（2026）内0221民初{n}号",
        cause="民间借贷纠纷",
        received_date=received,
        effective_date=date(2026, 11, 1),
        performance_deadline=date(2026, 11, 15),
        # Recorded (with the case, as it came), so a test case may be transferred to
        # enforcement (domain/issuing.py).
        application_received_on=received,
        amount_due=Decimal(amount),
        parties=[
            PartyInput(PartyRole.APPLICANT, "李某", PartyKind.PERSON),
            PartyInput(PartyRole.OBLIGOR, obligor, PartyKind.PERSON, phones=phone),
        ],
    )
    for key, value in extra.items():
        setattr(data, key, value)
    return data


def gui_context(db: Database, actor: Actor, today: date | None = TODAY) -> AppContext:
    """What the app gives a page or dialog: this database and user, a clock fixed at ``today``
    (the desk's own clock when None)."""
    return AppContext(db, actor, Clock.fixed(today) if today is not None else Clock())


# --- the desktop build (PyInstaller), shared by the build and .deb tests ----------------------

BUILD_ENV = "ZHIQIAN_TEST_BUILD"
"""A one-folder build made beforehand (.ci/run builds once and points here); else the tests
build one themselves when PyInstaller is installed (pip install ".[build]")."""


@pytest.fixture(scope="session")
def desktop_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `pyinstaller build.spec` makes (dist/zhiqian)."""
    import subprocess
    import sys

    given = os.environ.get(BUILD_ENV)
    if given:
        folder = Path(given)
        assert (folder / "zhiqian").is_file() or (folder / "zhiqian.exe").is_file(), given
        return folder
    pytest.importorskip(
        "PyInstaller", reason="PyInstaller is not installed (pip install '.[build]')"
    )
    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(root / "build.spec"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out / "dist" / "zhiqian"


def run_program_self_test(
    program: Path,
    folder: Path,
    *,
    launcher: tuple[str, ...] = (),
    environment: dict[str, str] | None = None,
) -> str:
    """`program --self-test` offscreen with a data folder of its own; its output, once it passed.
    `launcher` runs it through another command (xvfb-run …); `environment` adds or overrides
    variables (QT_QPA_PLATFORM among them)."""
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZHIQIAN_DATA_DIR=str(folder / "home"))
    env.update(environment or {})
    done = subprocess.run(
        [*launcher, str(program), "--self-test"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("self-test passed"), done.stdout
    return done.stdout
