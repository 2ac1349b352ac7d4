"""The transfer package: contents, manifest, verification, atomic writing, hostile archives."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.cli.transfer import cmd_transfer, cmd_verify_package
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    DocumentKind,
    PaymentMethod,
    PreservationKind,
    ServiceMethod,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.closing import outcomes
from zhiqian_desktop.services.closing.transfer_data import (
    MANIFEST,
    SCHEMA,
    SIGNATURE,
    collect_records,
    proposed_transfer_reason,
)
from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
from zhiqian_desktop.services.closing.transfer_sheets import summary_sheet
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.signing import court_public_key, public_pem
from zhiqian_desktop.services.intake.docket import get_case, register_case
from zhiqian_desktop.services.supervision import contacts, notices, service_records
from zhiqian_desktop.store.archives import member_name_problem
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import AuditEvent, Document, Preservation

REASON = "分期履行违约，经多次电话督促仍未履行"
PARTS = [
    "00-卷内目录.pdf",
    "01-移送执行函.pdf",
    "02-案件情况摘要.pdf",
    "03-督促过程记录.pdf",
    "05-履行款及和解情况.pdf",
    "06-保全措施及财产线索.pdf",
]


@pytest.fixture
def case_id(db: Database, admin: Actor, tmp_path: Path) -> str:
    """A supervised case with an urging notice served, calls, a payment, a settlement, a freeze
    and a payment slip."""
    with db.unit_of_work() as s:
        cid = register_case(
            s, admin, make_case_input(amount="12000.00", received=date(2026, 11, 2)), today=TODAY
        ).id
    with db.unit_of_work() as s:
        urging = notices.issue_notice(s, admin, cid, DocumentKind.URGING, today=date(2026, 11, 3))
    with db.unit_of_work() as s:
        service_records.record_service(
            s, admin, urging.id, ServiceMethod.DIRECT, date(2026, 11, 4), "张书记员", today=TODAY
        )
        notices.issue_notice(
            s,
            admin,
            cid,
            DocumentKind.SERVICE_RECEIPT,
            today=date(2026, 11, 4),
            served_document_id=urging.id,
        )
    with db.unit_of_work() as s:
        for i, text in enumerate(["称暂无能力履行", "称其在县城有房产一套，可变卖还款"]):
            contacts.log_contact(
                s,
                admin,
                cid,
                contacts.ContactInput(
                    ContactKind.PHONE,
                    datetime(2026, 11, 5 + i, 2, 30, tzinfo=UTC),
                    True,
                    summary=text,
                ),
                now=datetime(2026, 11, 25, tzinfo=UTC),
            )
        s.add(
            Preservation(
                case_id=cid,
                kind=PreservationKind.BANK_DEPOSIT,
                description="被申请人农业银行账户存款",
                frozen_on=date(2026, 10, 20),
                expires_on=date(2027, 10, 20),
                amount=Decimal("5000.00"),
            )
        )
    slip = tmp_path / "转账凭证.jpg"
    slip.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    with db.unit_of_work() as s:
        outcomes.record_payment(
            s,
            admin,
            cid,
            paid_on=date(2026, 11, 8),
            amount=Decimal("2000"),
            method=PaymentMethod.TRANSFER,
            payer="王某某",
            evidence=slip,
            today=TODAY,
        )
    with db.unit_of_work() as s:
        outcomes.record_settlement(
            s,
            admin,
            cid,
            signed_on=date(2026, 11, 9),
            terms="余款分两期付清",
            default_clause="一期逾期，余款全部到期",
            guarantee=None,
            installments=None,
            equal_installments=(2, date(2026, 11, 16), 1),
            today=TODAY,
        )
    return cid


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def status_of(db: Database, case_id: str) -> CaseStatus:
    with db.reader() as s:
        return get_case(s, case_id).status


def transfer(db: Database, admin: Actor, case_id: str, dest: Path, **kw: object) -> Path:
    return build_transfer_package(
        db,
        admin,
        case_id,
        REASON,
        dest,
        as_zip=dest.suffix == ".zip",
        today=TODAY,
        **kw,  # type: ignore[arg-type]
    )


def verify_cli(
    path: Path, capsys: pytest.CaptureFixture[str], db: Database | None = None
) -> tuple[int, str]:
    """`zhiqian verify-package`, with the court's public key as a file when ``db`` is given."""
    key_file = None
    if db is not None:
        key = court_public_key(db)
        assert key is not None
        key_file = path.parent / "court-public.pem"
        key_file.write_bytes(public_pem(key))
    args = argparse.Namespace(package=str(path), json=False, public_key=key_file)
    code = cmd_verify_package(args)
    out = capsys.readouterr()
    return code, out.out + out.err


# --- contents -----------------------------------------------------------------------------------


def test_zip_package_holds_every_part_and_a_matching_manifest(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[int, int, str]] = []
    out = transfer(db, admin, case_id, tmp_path / "移送.zip", progress=lambda *a: seen.append(a))
    files = members(out)
    for part in [*PARTS, MANIFEST]:
        assert part in files, part
    docs = sorted(n for n in files if n.startswith("04-文书及送达回证/"))
    assert len(docs) == 2
    assert docs[0].endswith("自动履行催告书.pdf") and docs[1].endswith("送达回证.pdf")
    assert [n for n in files if n.startswith("07-附件/")] == ["07-附件/001-转账凭证.jpg"]
    assert all(files[n].startswith(b"%PDF") for n in files if n.endswith(".pdf"))

    manifest = json.loads(files[MANIFEST])
    assert manifest["schema"] == SCHEMA == "zhiqian.transfer/1"
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {MANIFEST, SIGNATURE}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["size"] == len(files[name])
    assert listed["02-案件情况摘要.pdf"]["pages"] >= 1
    case = manifest["case"]
    assert case["status"] == {"code": "transferred", "label": "已移送执行"}
    assert case["close_reason"] == REASON and case["closed_date"] == "2026-11-25"
    assert case["amount_outstanding"] == "10000.00"
    assert [p["name"] for p in case["parties"]] == ["李某", "王某某"]
    assert len(case["contacts"]) == 2 and case["payments"][0]["amount"] == "2000.00"
    assert case["settlements"][0]["installments"][0]["status"] == "overdue"
    assert case["preservations"][0]["description"] == "被申请人农业银行账户存款"
    kinds = {d["kind"]["code"] for d in case["documents"]}
    assert kinds == {"urging", "service_receipt", "transfer_letter"}
    assert manifest["transfer"]["reason"] == REASON

    # The letter is the issued 移送执行函 (stored with the case); progress reached the end.
    with db.reader() as s:
        letter = s.scalars(
            select(Document).where(Document.kind == DocumentKind.TRANSFER_LETTER)
        ).one()
    assert listed["01-移送执行函.pdf"]["sha256"] == letter.pdf_sha256
    assert seen[-1][0] == seen[-1][1] > 0
    assert status_of(db, case_id) is CaseStatus.TRANSFERRED

    report = verify_package(out, court_public_key(db))
    assert report.ok and report.files_checked == len(listed) and report.case_no == case["case_no"]
    assert verify_cli(out, capsys, db)[0] == 0


def test_record_sheet_lists_events_in_date_order(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    from zhiqian_desktop.services.closing.transfer_data import collect_records
    from zhiqian_desktop.services.closing.transfer_sheets import record_sheet

    transfer(db, admin, case_id, tmp_path / "p.zip")
    with db.reader() as s:
        sheet = record_sheet(collect_records(s, case_id))
    table = sheet.sections[0].table
    assert table is not None
    rows = [(when[:10], what) for _, when, what, _ in table.rows]
    assert rows == sorted(rows, key=lambda r: r[0])
    assert [what for _, what in rows] == [
        "保全", "收案", "出具文书", "送达", "出具文书", "督促记录", "督促记录",
        "履行", "和解", "出具文书", "移送执行",
    ]  # fmt: skip


def test_summary_counts_the_contacts_not_the_messages_sent_or_the_corrected_entries(
    db: Database, admin: Actor, case_id: str
) -> None:
    with db.reader() as s:
        first = contacts.list_contacts(s, case_id)[0].id
    now = datetime(2026, 11, 25, tzinfo=UTC)
    with db.unit_of_work() as s:
        wrong = contacts.ContactInput(
            ContactKind.PHONE, datetime(2026, 11, 5, 2, 30, tzinfo=UTC), False, summary=""
        )
        contacts.correct_contact(s, admin, first, wrong, now=now)
        contacts.log_applicant_notice(s, admin, case_id, "李某：本院正在督促……", now=now)
    with db.unit_of_work() as s:
        contacts.log_message_sent(
            s,
            admin,
            get_case(s, case_id),
            kind=ContactKind.REMINDER,
            party_id=None,
            phone="13900000000",
            summary="请按期履行",
            sent=True,
            at=now,
        )
    with db.reader() as s:
        sheet = summary_sheet(collect_records(s, case_id), REASON, None)
        reason = proposed_transfer_reason(s, case_id, TODAY)
    fields = dict(next(x.fields for x in sheet.sections if x.heading == "四、督促经过"))
    # Two calls (the first corrected into an unanswered one); the notice to the applicant and
    # the reminder by text message are counted apart.
    assert fields["督促记录"] == "2次（联系上1次）"
    assert (fields["履行提醒短信"], fields["执行信息回告"]) == ("1次", "1次")
    assert "经督促2次" in reason


def test_folder_package_round_trip(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = transfer(db, admin, case_id, tmp_path / "移送材料")
    assert out.is_dir()
    assert verify_package(out, court_public_key(db)).ok
    # Alter one byte, delete one file, add one file: each is reported by name.
    summary = out / "02-案件情况摘要.pdf"
    data = bytearray(summary.read_bytes())
    data[100] ^= 0x01
    summary.write_bytes(bytes(data))
    (out / "03-督促过程记录.pdf").unlink()
    (out / "07-附件" / "多出来的.txt").write_text("x", encoding="utf-8")
    report = verify_package(out, court_public_key(db))
    assert not report.ok
    assert {(f.path, f.problem) for f in report.findings} == {
        ("02-案件情况摘要.pdf", "altered"),
        ("03-督促过程记录.pdf", "missing"),
        ("07-附件/多出来的.txt", "extra"),
    }
    code, text = verify_cli(out, capsys, db)
    assert code == 1
    for name in ("02-案件情况摘要.pdf", "03-督促过程记录.pdf", "07-附件/多出来的.txt"):
        assert name in text
    assert "共3处问题" in text


def rewrite_zip(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """A copy of the zip with members replaced (bytes), removed (None) or added."""
    files = members(source)
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in files.items():
            if name in change:
                continue
            zf.writestr(name, data)
        for name, new in change.items():
            if new is not None:
                zf.writestr(name, new)


def test_zip_alterations_are_reported_precisely(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = transfer(db, admin, case_id, tmp_path / "p.zip")
    files = members(out)
    letter = bytearray(files["01-移送执行函.pdf"])
    letter[-10] ^= 0xFF
    cases = {
        "altered": ({"01-移送执行函.pdf": bytes(letter)}, "01-移送执行函.pdf"),
        "missing": ({"07-附件/001-转账凭证.jpg": None}, "07-附件/001-转账凭证.jpg"),
        "extra": ({"说明.txt": b"added later"}, "说明.txt"),
    }
    for problem, (change, name) in cases.items():
        bad = tmp_path / f"{problem}.zip"
        rewrite_zip(out, bad, change)
        report = verify_package(bad, court_public_key(db))
        assert [(f.path, f.problem) for f in report.findings] == [(name, problem)]
        code, text = verify_cli(bad, capsys, db)
        assert code == 1 and name in text


def test_chinese_names_and_fifty_attachments(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    paths = []
    for i in range(50):
        p = sources / f"现场照片（{i:02d}）:被申请人住所.jpg"
        p.write_bytes(hashlib.sha256(str(i).encode()).digest() * 100)
        paths.append(p)
    with db.unit_of_work() as s:
        contacts.log_contact(
            s,
            admin,
            case_id,
            contacts.ContactInput(
                ContactKind.VISIT, datetime(2026, 11, 20, 2, tzinfo=UTC), False, summary="上门未见"
            ),
            attachments=paths,
            now=datetime(2026, 11, 25, tzinfo=UTC),
        )
    out = transfer(db, admin, case_id, tmp_path / "p.zip")
    names = [n for n in members(out) if n.startswith("07-附件/")]
    assert len(names) == 51
    # ':' cannot be in a Windows file name; the order number keeps equal names apart.
    assert "07-附件/002-现场照片（00）_被申请人住所.jpg" in names
    assert verify_package(out, court_public_key(db)).ok


# --- atomic writing -----------------------------------------------------------------------------


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def nothing_changed(
    db: Database, case_id: str, folder: Path, files_before: set[str], events_before: int
) -> None:
    assert listing(folder) == files_before  # no package, no temporary left behind
    assert status_of(db, case_id) is CaseStatus.SETTLED
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        letters = s.scalars(
            select(Document).where(Document.kind == DocumentKind.TRANSFER_LETTER)
        ).all()
    assert letters == []


def event_count(db: Database) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("name", ["p.zip", "folder"])
def test_failure_mid_write_leaves_no_package_and_no_status_change(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, name: str
) -> None:
    before = event_count(db)
    files_before = listing(tmp_path)

    def boom(done: int, total: int, message: str) -> None:
        if done == 5:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        transfer(db, admin, case_id, tmp_path / name, progress=boom)
    nothing_changed(db, case_id, tmp_path, files_before, before)
    # And the next attempt works.
    assert verify_package(transfer(db, admin, case_id, tmp_path / name), court_public_key(db)).ok


def test_killed_process_leaves_no_package_and_no_status_change(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    before = event_count(db)
    dest = tmp_path / "killed.zip"
    script = textwrap.dedent(
        f"""
        import os, sys
        from datetime import date
        from pathlib import Path
        from zhiqian_desktop.services.admin.maintenance import open_app_database
        from zhiqian_desktop.services.core.users import default_actor
        from zhiqian_desktop.services.closing.transfer_package import build_transfer_package
        db = open_app_database({db.url!r})
        with db.reader() as s:
            actor = default_actor(s)
        def die(done, total, message):
            if done == 6:
                os._exit(9)  # like a kill: no clean-up, no rollback
        build_transfer_package(db, actor, {case_id!r}, "x", Path({str(dest)!r}), as_zip=True,
                               progress=die, today=date(2026, 11, 25))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr.decode()
    assert not dest.exists()
    assert not verify_package(dest, court_public_key(db)).ok
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".killed.zip.partial-")]
    assert len(leftovers) == 1  # hidden, never at the destination; cleared by the next run
    nothing_changed_but = status_of(db, case_id)
    assert nothing_changed_but is CaseStatus.SETTLED and event_count(db) == before
    transfer(db, admin, case_id, dest)
    assert verify_package(dest, court_public_key(db)).ok
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".killed.zip.partial-")]


def test_refusals_before_anything_is_written(
    db: Database, admin: Actor, case_id: str, tmp_path: Path
) -> None:
    existing = tmp_path / "已有文件夹"
    existing.mkdir()
    with pytest.raises(UserError, match="已存在"):
        transfer(db, admin, case_id, existing)
    with pytest.raises(UserError, match=r"\.zip 结尾"):
        build_transfer_package(
            db, admin, case_id, REASON, tmp_path / "x.7z", as_zip=True, today=TODAY
        )
    with pytest.raises(UserError, match="理由"):
        build_transfer_package(
            db, admin, case_id, " ", tmp_path / "x.zip", as_zip=True, today=TODAY
        )
    transfer(db, admin, case_id, tmp_path / "first.zip")
    with pytest.raises(UserError, match="不能"):
        transfer(db, admin, case_id, tmp_path / "second.zip")
    assert not (tmp_path / "second.zip").exists()


def test_cli_transfer_writes_and_verifies(
    db: Database, admin: Actor, case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.reader() as s:
        case_no = get_case(s, case_id).case_no
    out = tmp_path / "cli.zip"
    args = argparse.Namespace(
        case_no=case_no.replace("（", "(").replace("）", ")"),
        output=str(out),
        reason=None,
        date="2026-11-25",
        json=True,
    )
    assert cmd_transfer(db, admin, args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verified"] is True and result["output"] == str(out)
    manifest = json.loads(members(out)[MANIFEST])
    assert "督促不成" in manifest["case"]["close_reason"]


# --- hostile archives ---------------------------------------------------------------------------


def hostile_zip(path: Path, names: list[str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(MANIFEST, json.dumps({"schema": SCHEMA, "files": []}))
        for name in names:
            info = zipfile.ZipInfo("placeholder")
            info.filename = name  # bypass ZipInfo's own normalisation, as an attacker would
            zf.writestr(info, b"pwned")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.txt", "..”"),
        ("a/../../evil.txt", "..”"),
        ("/etc/evil", "绝对路径"),
        ("..\\evil.txt", "反斜杠"),
        ("C:/evil.txt", "盘符"),
        ("a//b.txt", "空的"),
    ],
)
def test_hostile_member_names_are_refused(
    tmp_path: Path, name: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = set(tmp_path.parent.iterdir())
    path = hostile_zip(tmp_path / "evil.zip", [name])
    report = verify_package(path, None)
    assert report.refused is not None and why in report.refused
    assert not report.ok
    assert set(tmp_path.parent.iterdir()) == before  # nothing extracted anywhere
    assert not (tmp_path / "evil.txt").exists()
    code, text = verify_cli(path, capsys)
    assert code == 1 and "拒绝读取" in text


def test_duplicate_and_oversized_members_are_refused(tmp_path: Path) -> None:
    dup = hostile_zip(tmp_path / "dup.zip", ["a.pdf", "A.pdf"])
    assert "重复" in (verify_package(dup, None).refused or "")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps({"schema": SCHEMA, "files": []}))
        zf.writestr("zeros.bin", b"\0" * (20 * 1024 * 1024))
    assert "压缩比" in (verify_package(bomb, None).refused or "")
    not_zip = tmp_path / "junk.zip"
    not_zip.write_bytes(b"not a zip at all")
    assert "zip" in (verify_package(not_zip, None).refused or "")
    manifest_escape = tmp_path / "m.zip"
    with zipfile.ZipFile(manifest_escape, "w") as zf:
        files = [{"path": "../../etc/passwd", "sha256": "0" * 64, "size": 1}]
        zf.writestr(MANIFEST, json.dumps({"schema": SCHEMA, "files": files}))
    assert "不合法" in (verify_package(manifest_escape, None).refused or "")


@pytest.mark.parametrize(
    "name", ["01-移送执行函.pdf", "07-附件/001-转账凭证.jpg", "04-文书及送达回证/01-x.pdf"]
)
def test_good_member_names_pass(name: str) -> None:
    assert member_name_problem(name) is None
