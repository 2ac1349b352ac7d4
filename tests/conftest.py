"""Shared fixtures: every test gets its own database file and user folders, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from zhiqian_desktop.domain.kinds import PartyKind, PartyRole
from zhiqian_desktop.services import settings as settings_service
from zhiqian_desktop.services.actor import Actor
from zhiqian_desktop.services.docket import CaseInput, PartyInput
from zhiqian_desktop.services.maintenance import open_app_database
from zhiqian_desktop.services.users import default_actor
from zhiqian_desktop.store.database import Database, sqlite_url

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("ZHIQIAN_DATA_DIR", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "docket.db"


@pytest.fixture
def empty_db(db_path: Path) -> Iterator[Database]:
    """A migrated database with no court settings yet (first start)."""
    db = open_app_database(sqlite_url(db_path))
    yield db
    db.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated, initialised database: court 土默特右旗人民法院 (内0221), admin user, holidays."""
    with empty_db.unit_of_work() as session:
        settings_service.initialize(
            session, settings_service.SetupInput("土默特右旗人民法院", "内0221", "执前督")
        )
    return empty_db


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
        amount_due=Decimal(amount),
        parties=[
            PartyInput(PartyRole.APPLICANT, "李某", PartyKind.PERSON),
            PartyInput(PartyRole.OBLIGOR, obligor, PartyKind.PERSON, phones=phone),
        ],
    )
    for key, value in extra.items():
        setattr(data, key, value)
    return data
