"""Per-kit keys (issue 17, 2): a kit carries a key of its own, made at export and known to the
court by its public key; the court's key never leaves the court. A change package is taken in only
when that kit's key signed it and it stays inside the kit: its cases, its users, its block of case
numbers, the kit's life. The chain hashes one canonical UTC time, so no time a laptop sends can
break the court's chain. Kits of an earlier version (they carried the court's key) are refused
with the way to re-export."""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from tests.conftest import TODAY, make_case_input
from tests.services.test_sync import (
    Court,
    Laptop,
    call,
    changes,
    court,
    kit,
    laptop,
    pay,
    refused,
    rewrite,
    signed,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import Role
from zhiqian_desktop.services.admin import maintenance
from zhiqian_desktop.services.core import signing
from zhiqian_desktop.services.core.audit import verify_chain
from zhiqian_desktop.services.core.staff import add_tribunal
from zhiqian_desktop.services.core.users import create_user
from zhiqian_desktop.services.exchange import kit_opening, merge, records
from zhiqian_desktop.services.exchange import kits as sync
from zhiqian_desktop.services.intake.docket import register_case
from zhiqian_desktop.store.models import AuditEvent, OfflineKit

__all__ = ["court", "kit", "laptop"]  # the fixtures of tests/services/test_sync.py


def kit_key(laptop: Laptop) -> Ed25519PrivateKey:
    assert laptop.db.path is not None
    return kit_opening.kit_signing_key(laptop.db.path)


@pytest.fixture
def package(court: Court, laptop: Laptop, tmp_path: Path) -> Path:
    call(laptop.db, laptop.clerk, court.cases[0], "法庭电话")
    pay(laptop.db, laptop.clerk, court.cases[0], "50.00")
    return changes(laptop, tmp_path)


def test_a_kit_carries_its_own_key_and_never_the_courts(
    court: Court, kit: Path, laptop: Laptop
) -> None:
    with zipfile.ZipFile(kit) as zf:
        names = set(zf.namelist())
        blobs = [zf.read(n) for n in names if n != records.KIT_DB]
    assert records.KIT_KEY in names and "court.key" not in names
    court_private = signing.signing_key(court.db)
    assert court_private is not None
    court_pem = signing.private_pem(court_private)
    assert not any(court_pem.strip() in blob for blob in blobs)
    with court.db.reader() as s:
        issued = s.scalars(select(OfflineKit).where(OfflineKit.role == "court")).one()
    assert issued.public_key == signing.public_hex(kit_key(laptop).public_key())


def test_a_package_signed_by_another_kit_is_refused(
    court: Court, laptop: Laptop, package: Path, tmp_path: Path
) -> None:
    """The holder of the 沙尔沁 kit cannot sign for the kit of another tribunal, nor another
    tribunal's clerk for this one: each kit's key is its own."""
    with court.db.unit_of_work() as s:
        other = add_tribunal(s, court.admin, "美岱召法庭")
        clerk = create_user(s, court.admin, username="lisi", display_name="李四",
                            role=Role.HANDLER)  # fmt: skip
        register_case(
            s, court.admin, make_case_input(20, handler_id=clerk.id, tribunal_id=other.id),
            today=TODAY,
        )  # fmt: skip
        other_id = other.id
    other_kit = sync.export_kit(
        court.db, court.admin, tribunal_id=other_id, year=2026, block_size=5,
        dest=tmp_path / "other-kit.zip",
    )  # fmt: skip
    other_laptop = open_laptop_as(other_kit, tmp_path / "other-laptop", "lisi")
    try:
        forged = signed(package, tmp_path / "forged.zip", kit_key(other_laptop))
    finally:
        other_laptop.db.dispose()
    refused(court, forged, "签名不符")


def open_laptop_as(kit: Path, folder: Path, username: str) -> Laptop:
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.users import actor_for, find_user
    from zhiqian_desktop.store.engine import sqlite_url

    path = kit_opening.open_kit(kit, folder)
    db = open_app_database(sqlite_url(path))
    with db.reader() as s:
        return Laptop(db, actor_for(find_user(s, username)))


def forged_events(edit: Callable[[list[dict[str, Any]]], None]) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        edit(body["audit"])

    return change


def test_events_as_the_administrator_or_dated_outside_the_kits_life_are_refused(
    court: Court, laptop: Laptop, package: Path, tmp_path: Path
) -> None:
    """Even with the kit's own key, its holder cannot write history for the court."""

    def as_admin(events: list[dict[str, Any]]) -> None:
        events.append({**events[-1], "id": "x", "actor": "admin", "action": "update"})

    def in_2020(events: list[dict[str, Any]]) -> None:
        events.append({**events[-1], "id": "y", "at": "2020-01-01T00:00:00+00:00"})

    key = kit_key(laptop)
    refused(court, signed(package, tmp_path / "a.zip", key, forged_events(as_admin)), "admin")
    refused(court, signed(package, tmp_path / "b.zip", key, forged_events(in_2020)), "使用期间")
    with court.db.reader() as s:
        assert verify_chain(s).ok


def test_records_outside_the_kits_cases_or_block_are_refused(
    court: Court, laptop: Laptop, package: Path, tmp_path: Path
) -> None:
    key = kit_key(laptop)

    def into_the_courts_own_case(body: dict[str, Any]) -> None:
        for r in body["records"]:
            if r["entity"] == "payment":
                r["values"]["case_id"] = court.own_case

    def a_case_numbered_outside_the_block(body: dict[str, Any]) -> None:
        case = next(r for r in body["records"] if r["entity"] == "supervision_case")
        forged = json.loads(json.dumps(case))
        forged["id"] = forged["values"]["id"] = "00000000-0000-4000-8000-000000000001"
        forged["values"]["case_seq"] = 999
        forged["values"]["case_no"] = "（2026）内0221执前督999号"
        forged["base"] = forged["base_version"] = None
        body["records"].append(forged)

    def by_a_user_of_the_court(body: dict[str, Any]) -> None:
        for r in body["records"]:
            if r["entity"] == "payment":
                r["values"]["updated_by"] = "admin"

    cases = {
        "不属于该离线包的案件": into_the_courts_own_case,
        "预留的案号段": a_case_numbered_outside_the_block,
        "使用人": by_a_user_of_the_court,
    }
    for n, (why, edit) in enumerate(cases.items()):
        refused(court, signed(package, tmp_path / f"f{n}.zip", key, edit), why)
    assert merge.import_changes(court.db, court.admin, package).inserted["payment"] == 1


def test_times_with_an_offset_microseconds_and_before_values_keep_the_chain_whole(
    court: Court, laptop: Laptop, package: Path, tmp_path: Path
) -> None:
    def local_times(events: list[dict[str, Any]]) -> None:
        with court.db.reader() as s:
            exported = s.scalars(select(OfflineKit.created_at)).first()
        assert exported is not None
        for n, ev in enumerate(events):
            moment = exported.astimezone(signing_tz()).replace(microsecond=123456 + n)
            ev["at"] = moment.isoformat()  # +08:00, with microseconds
            ev["before"] = {"notes": "原来的备注", "amount": "10.00"}

    rebuilt = signed(package, tmp_path / "local.zip", kit_key(laptop), forged_events(local_times))
    report = merge.import_changes(court.db, court.admin, rebuilt)
    assert report.audit_events >= 2
    with court.db.reader() as s:
        chain = verify_chain(s)
        merged = s.scalars(select(AuditEvent).where(AuditEvent.origin == "沙尔沁法庭")).all()
    assert chain.ok, chain
    assert merged and all(ev.at.microsecond == 0 for ev in merged)
    assert maintenance.check(court.db).ok


def signing_tz() -> Any:
    from zhiqian_desktop.services.core.clock import DEFAULT_ZONE

    return DEFAULT_ZONE


def old_style(source: Path, dest: Path, schema: str) -> Path:
    """A copy as an earlier version wrote it: the old format, signed with an HMAC court key."""
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read(records.MANIFEST))
    manifest["schema"] = schema
    raw = json.dumps(manifest).encode()
    sig = hmac.new(b"k" * 32, raw, hashlib.sha256).hexdigest().encode()
    return rewrite(source, dest, {records.MANIFEST: raw, records.SIGNATURE: None},
                   {"manifest.hmac": sig, "court.key": (b"k" * 32).hex().encode()})  # fmt: skip


def test_kits_and_packages_of_an_earlier_version_are_refused_with_the_way_out(
    court: Court, kit: Path, package: Path, tmp_path: Path
) -> None:
    old_kit = old_style(kit, tmp_path / "old-kit.zip", "zhiqian.kit/1")
    with pytest.raises(UserError, match=r"旧版本.*重新导出"):
        kit_opening.open_kit(old_kit, tmp_path / "old-laptop")
    old_package = old_style(package, tmp_path / "old-changes.zip", "zhiqian.changes/1")
    refused(court, old_package, r"旧版本.*重新导出")
