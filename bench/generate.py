"""Builds (and caches) the benchmark database: 100,000 cases, ~1,000,000 contact logs and the rest.

    python -m bench.generate [--cases N] [--seed S] [--force] [--out PATH]

The database is opened through `open_database`, so the schema is exactly the migrated one; rows are
written with SQLAlchemy Core executemany in batches. The derived docket columns (obligor_names,
search_text, amount_paid, next_due_date) are computed here the same way `docket.refresh_derived`
computes them, and each case gets one audit event on the chain, linked with the same keyed digest
`services.core.audit` uses (the key is the one the first event of the set-up wrote beside the file), so
`zhiqian check` passes on the result.

The result is cached at bench/.cache/bench-100k.db (bench-10k.db for --cases 10000, and so on)
with a JSON stamp beside it and the audit key in the folder beside it (bench-100k-files/), as the
app keeps them; it is rebuilt when the stamp (generator version, case count, seed) no longer
matches.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, update

from zhiqian_desktop.domain.calendar import HolidayCalendar, period_end_days
from zhiqian_desktop.domain.case_numbers import format_case_number
from zhiqian_desktop.domain.identity import credit_code_check_char, resident_id_check_char
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    PartyKind,
    PartyRole,
    PaymentMethod,
    PreservationKind,
    Role,
    SettlementStatus,
)
from zhiqian_desktop.domain.workflow import CLOSED_STATUSES, CaseStatus
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core import settings as settings_service
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.intake.docket import split_phones
from zhiqian_desktop.store.database import Database, open_database
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.migrations import head_revision
from zhiqian_desktop.store.models import Base
from zhiqian_desktop.store.types import new_id

GENERATOR_VERSION = 2  # 2: audit events linked with the database's audit key
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
DEFAULT_CASES = 100_000
DEFAULT_SEED = 20261125
END = date(2026, 11, 25)
"""The generated docket ends on this day; the runner measures 'today' as this date too."""
FIRST_YEAR = 2019
COURT_CODE, CASE_WORD = "内0221", "执前督"
BATCH = 2_000

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
    "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞海波宁志宏春梅云龙凤"
TOWNS = ("萨拉齐", "沟门", "美岱召", "将军尧", "海子", "苏波盖", "双龙", "明沙淖", "九峰山")
TRADES = ("商贸", "建筑工程", "农牧业", "运输", "餐饮", "物流", "建材", "装饰", "汽车销售", "农机")
CAUSES = (
    ("民间借贷纠纷", 30),
    ("买卖合同纠纷", 18),
    ("劳务合同纠纷", 10),
    ("追索劳动报酬纠纷", 8),
    ("机动车交通事故责任纠纷", 8),
    ("租赁合同纠纷", 6),
    ("抚养费纠纷", 4),
    ("赡养费纠纷", 3),
    ("离婚后财产纠纷", 3),
    ("建设工程施工合同纠纷", 4),
    ("金融借款合同纠纷", 4),
    ("物业服务合同纠纷", 2),
)
LIVELIHOOD = {
    "追索劳动报酬纠纷": "追索劳动报酬",
    "劳务合同纠纷": "劳务报酬",
    "机动车交通事故责任纠纷": "交通事故赔偿",
    "抚养费纠纷": "抚养费",
    "赡养费纠纷": "赡养费",
}
DEPARTMENTS = ("民一庭", "民二庭", "立案庭", "萨拉齐法庭", "沟门法庭", "美岱召法庭")
SUMMARIES = (
    "电话告知被申请人判决已生效，督促其于催告期内履行",
    "被申请人称资金困难，请求分期履行",
    "电话无人接听",
    "被申请人表示近期筹款后一次性履行",
    "上门送达自动履行催告书并释明拒不履行的法律后果",
    "约谈被申请人，其同意与申请人协商和解",
    "通过村委会联系被申请人家属，转告督促履行事宜",
    "短信发送执行风险提示",
    "被申请人承诺本月底前支付部分款项",
    "电话关机",
)
TERMINAL = {
    CaseStatus.PERFORMED: 34,
    CaseStatus.SETTLEMENT_PERFORMED: 10,
    CaseStatus.TRANSFERRED: 30,
    CaseStatus.WITHDRAWN: 5,
    CaseStatus.UNSUITABLE: 3,
    CaseStatus.ARCHIVED: 18,
}
OPEN = {
    CaseStatus.REGISTERED: 20,
    CaseStatus.SUPERVISING: 55,
    CaseStatus.SETTLED: 15,
    CaseStatus.FAILED: 10,
}


def size_label(cases: int) -> str:
    """10k, 100k, 300k, 2k; the exact number when it is not a whole thousand."""
    return f"{cases // 1000}k" if cases % 1000 == 0 and cases else str(cases)


def parse_cases(text: str) -> int:
    """A case count as typed: 2000, 10k, 300k."""
    text = text.strip().lower()
    try:
        return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of cases: {text!r}") from None


def default_path(cases: int = DEFAULT_CASES) -> Path:
    return CACHE_DIR / f"bench-{size_label(cases)}.db"


DEFAULT_DB = default_path()


def stamp_for(cases: int, seed: int) -> dict[str, Any]:
    return {
        "generator_version": GENERATOR_VERSION,
        "schema_head": head_revision(),
        "cases": cases,
        "seed": seed,
    }


def stamp_path(db_path: Path) -> Path:
    return db_path.with_suffix(".json")


def _stored_stamp(db_path: Path) -> dict[str, Any] | None:
    sp = stamp_path(db_path)
    if not db_path.exists() or not sp.exists():
        return None
    try:
        stored = json.loads(sp.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return stored if isinstance(stored, dict) else None


def is_current(db_path: Path, cases: int, seed: int) -> bool:
    """Built by this generator with these parameters (a newer schema is migrated, not rebuilt)."""
    stored = _stored_stamp(db_path)
    if stored is None:
        return False
    wanted = stamp_for(cases, seed)
    return all(stored.get(k) == wanted[k] for k in ("generator_version", "cases", "seed"))


def ensure_database(
    db_path: Path | None = None,
    *,
    cases: int = DEFAULT_CASES,
    seed: int = DEFAULT_SEED,
    quiet: bool = False,
) -> Path:
    """The cached benchmark database, built first if missing or stale.

    When only the schema moved on (a new migration), the cached file is migrated in place, as a
    clerk's database would be on the first start of the new version (without the backup).
    """
    db_path = db_path or default_path(cases)
    if not is_current(db_path, cases, seed):
        build(db_path, cases=cases, seed=seed, quiet=quiet)
        return db_path
    stored = _stored_stamp(db_path) or {}
    if stored.get("schema_head") != head_revision():
        started = time.perf_counter()
        open_database(sqlite_url(db_path)).dispose()
        stored["schema_head"] = head_revision()
        stored["migrated_seconds"] = round(time.perf_counter() - started, 1)
        stamp_path(db_path).write_text(
            json.dumps(stored, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return db_path


# --- generation ------------------------------------------------------------------------------


class Generator:
    def __init__(self, seed: int, calendar: HolidayCalendar, limit_days: int) -> None:
        self.rnd = random.Random(seed)
        self.calendar = calendar
        self.limit_days = limit_days
        self.original_seq: dict[tuple[int, str], int] = {}
        self.limit_cache: dict[date, date] = {}

    # people and organisations

    def person_name(self) -> str:
        r = self.rnd
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def company_name(self) -> str:
        r = self.rnd
        return f"包头市{r.choice(TOWNS)}{self.person_name()[1:]}{r.choice(TRADES)}有限公司"

    def resident_id(self) -> str:
        r = self.rnd
        born = date(1950, 1, 1) + timedelta(days=r.randrange(365 * 50))
        first17 = f"150221{born:%Y%m%d}{r.randrange(1000):03d}"
        return first17 + resident_id_check_char(first17)

    def credit_code(self) -> str:
        r = self.rnd
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        first17 = "91150221" + "".join(r.choice(alphabet) for _ in range(9))
        return first17 + credit_code_check_char(first17)

    def mobile(self) -> str:
        r = self.rnd
        return f"1{r.choice('3456789')}{r.randrange(10**9):09d}"

    def limit_end(self, received: date) -> date:
        end = self.limit_cache.get(received)
        if end is None:
            end = period_end_days(received, self.limit_days, self.calendar).end
            self.limit_cache[received] = end
        return end

    def weighted(self, table: dict[Any, int] | tuple[tuple[str, int], ...]) -> Any:
        items = list(table.items()) if isinstance(table, dict) else list(table)
        return self.rnd.choices([k for k, _ in items], weights=[w for _, w in items])[0]

    def when(self, day: date) -> datetime:
        # Office hours, Beijing time, stored as UTC.
        hour = self.rnd.randrange(8, 18) - 8
        return datetime(day.year, day.month, day.day, hour, self.rnd.randrange(60), tzinfo=UTC)


def _record(now: datetime, by: str = "bench") -> dict[str, Any]:
    return {
        "id": new_id(),
        "created_at": now,
        "updated_at": now,
        "updated_by": by,
        "version": 1,
        "deleted_at": None,
    }


class Tables:
    def __init__(self) -> None:
        t = Base.metadata.tables
        self.case: Table = t["supervision_case"]
        self.party: Table = t["party"]
        self.contact: Table = t["contact_log"]
        self.payment: Table = t["payment"]
        self.settlement: Table = t["settlement"]
        self.installment: Table = t["installment"]
        self.preservation: Table = t["preservation"]
        self.counter: Table = t["case_number_counter"]
        self.user: Table = t["app_user"]
        self.tribunal: Table = t["tribunal"]
        self.audit: Table = t["audit_event"]


def _staff(db: Database, tables: Tables) -> tuple[list[str], list[str]]:
    now = datetime(2019, 1, 2, 1, tzinfo=UTC)
    rnd = random.Random(7)
    users: list[dict[str, Any]] = []
    handlers: list[str] = []
    for i in range(30):
        role = Role.LEAD if i < 3 else Role.READONLY if i >= 28 else Role.HANDLER
        row = _record(now) | {
            "username": f"user{i:02d}",
            "display_name": rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            "role": role,
            "password_hash": None,
            "active": True,
            "failed_logins": 0,
            "locked_until": None,
            "phone": None,
        }
        users.append(row)
        if role is Role.HANDLER:
            handlers.append(row["id"])
    courts = [
        _record(now) | {"name": f"{town}法庭", "address": f"土默特右旗{town}镇"}
        for town in TOWNS[:8]
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(tables.user), users)
        conn.execute(insert(tables.tribunal), courts)
    return handlers, [c["id"] for c in courts]


def _received_dates(rnd: random.Random, cases: int) -> list[date]:
    """Intake grows a little each year; returned in date order so numbers follow the calendar."""
    start = date(FIRST_YEAR, 1, 2)
    span = (END - start).days
    days = sorted(int(span * rnd.random() ** 0.85) for _ in range(cases))
    return [start + timedelta(days=d) for d in days]


def build(db_path: Path, *, cases: int, seed: int, quiet: bool = False) -> None:
    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # Built under another name (its own folder of files beside it, as the app names them) and
    # moved into place once checked, so a half-built file is never taken for the benchmark.
    tmp = db_path.with_name(f"{db_path.stem}.building{db_path.suffix}")
    for path in (db_path, tmp):
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(attachments_dir(path), ignore_errors=True)
    stamp_path(db_path).unlink(missing_ok=True)

    db = open_database(sqlite_url(tmp))
    try:
        with db.unit_of_work() as s:
            settings_service.initialize(
                s, settings_service.SetupInput("土默特右旗人民法院", COURT_CODE, CASE_WORD)
            )
        with db.reader() as s:
            calendar = load_calendar(s)
            limit_days = settings_service.get_settings(s).supervision_limit_days
            head = s.scalars(
                select(Base.metadata.tables["audit_event"].c.hash).order_by(text("seq DESC"))
            ).first()
            # The set-up's first event made the court secret beside the file; every event the
            # generator appends is linked with it, as services.core.audit.record_event links them.
            key = audit.chain_key(s)
        tables = Tables()
        handlers, tribunals = _staff(db, tables)
        gen = Generator(seed, calendar, limit_days)
        received = _received_dates(gen.rnd, cases)
        say(f"generating {cases:,} cases into {tmp} ...")
        state = {"prev_hash": head or audit.GENESIS, "key": key, "seq": {}, "counts": {}}
        for first in range(0, cases, BATCH):
            batch = received[first : first + BATCH]
            rows = _generate_batch(gen, batch, handlers, tribunals, state)
            with db.engine.connect() as conn:
                # A throw-away build: a power cut only means building again. (The pragma cannot
                # be set inside the transaction the engine begins, so it goes to the driver.)
                raw: Any = conn.connection.dbapi_connection
                raw.execute("PRAGMA synchronous = OFF")
                with conn.begin():
                    for table_name, values in rows.items():
                        if values:
                            conn.execute(insert(getattr(tables, table_name)), values)
                            counts = state["counts"]
                            counts[table_name] = counts.get(table_name, 0) + len(values)
            done = first + len(batch)
            if done % 20_000 == 0 or done == cases:
                say(f"  {done:,} cases, {time.perf_counter() - started:.0f} s")
        refresh_next_due(db, tables)
        with db.engine.begin() as conn:
            conn.execute(
                insert(tables.counter),
                [{"year": y, "last_seq": n} for y, n in sorted(state["seq"].items())],
            )
    finally:
        db.dispose()
    raw = sqlite3.connect(tmp, isolation_level=None)
    try:
        # No ANALYZE: the app never runs it, so the planner works without statistics here too.
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    check_sample(tmp)
    tmp.replace(db_path)
    attachments_dir(tmp).replace(attachments_dir(db_path))
    counts = dict(state["counts"])
    stamp = stamp_for(cases, seed) | {
        "rows": counts,
        "built_seconds": round(time.perf_counter() - started, 1),
        "size_mb": round(db_path.stat().st_size / 2**20, 1),
    }
    stamp_path(db_path).write_text(
        json.dumps(stamp, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    say(f"done in {stamp['built_seconds']} s: {db_path} ({stamp['size_mb']} MB) {counts}")


def _days_between(rnd: random.Random, start: date, end: date) -> Iterator[date]:
    span = max((end - start).days, 0)
    while True:
        yield start + timedelta(days=rnd.randint(0, span))


def _generate_batch(
    gen: Generator,
    received_dates: list[date],
    handlers: list[str],
    tribunals: list[str],
    state: dict[str, Any],
) -> dict[str, list[dict[str, Any]]]:
    rnd = gen.rnd
    out: dict[str, list[dict[str, Any]]] = {
        "case": [],
        "party": [],
        "contact": [],
        "payment": [],
        "settlement": [],
        "installment": [],
        "preservation": [],
        "audit": [],
    }
    seqs: dict[int, int] = state["seq"]
    for received in received_dates:
        year = received.year
        seqs[year] = seqs.get(year, 0) + 1
        seq = seqs[year]
        case_no = format_case_number(year, COURT_CODE, CASE_WORD, seq)
        effective = received - timedelta(days=rnd.randint(16, 90))
        kind = rnd.choices(("民初", "民终", "民特"), weights=(85, 12, 3))[0]
        okey = (effective.year, kind)
        gen.original_seq[okey] = gen.original_seq.get(okey, 0) + 1
        original_no = f"（{effective.year}）内0221{kind}{gen.original_seq[okey]}号"
        cause = gen.weighted(CAUSES)
        age = (END - received).days
        closed_share = min(0.97, age / 120)
        is_closed = rnd.random() < closed_share
        status: CaseStatus = gen.weighted(TERMINAL if is_closed else OPEN)
        closed_date = None
        if status in CLOSED_STATUSES:
            closed_date = min(END, received + timedelta(days=rnd.randint(5, 90)))
        work_end = closed_date or END
        amount = Decimal(rnd.randint(800, 300_000)) + Decimal(rnd.randrange(100)) / 100
        if rnd.random() < 0.05:
            amount = Decimal(rnd.randint(300_000, 20_000_000))
        case_id = new_id()
        created = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)

        # parties: ~1.15 applicants and ~1.15 obligors per case
        parties: list[dict[str, Any]] = []
        for role in (PartyRole.APPLICANT, PartyRole.OBLIGOR):
            for _ in range(1 + (rnd.random() < 0.15)):
                company = rnd.random() < (0.12 if role is PartyRole.OBLIGOR else 0.2)
                if company:
                    name, number = gen.company_name(), gen.credit_code()
                    pkind = rnd.choice(
                        (PartyKind.LEGAL_PERSON, PartyKind.LEGAL_PERSON, PartyKind.OTHER_ORG)
                    )
                    capital: Decimal | None = Decimal(rnd.choice((10, 50, 100, 500, 1000))) * 10_000
                    rep: str | None = gen.person_name()
                else:
                    name = gen.person_name()
                    number = gen.resident_id() if rnd.random() < 0.9 else None
                    pkind, capital, rep = PartyKind.PERSON, None, None
                phones = [gen.mobile() for _ in range(rnd.choice((0, 1, 1, 1, 2)))]
                if company and rnd.random() < 0.5:
                    phones.append(f"0472-{rnd.randrange(10**7):07d}")
                parties.append(
                    _record(created)
                    | {
                        "case_id": case_id,
                        "position": len(parties),
                        "role": role,
                        "kind": pkind,
                        "name": name,
                        "id_number": number,
                        "phones": "、".join(phones) or None,
                        "address": f"土默特右旗{rnd.choice(TOWNS)}镇{rnd.randint(1, 99)}号",
                        "legal_representative": rep,
                        "registered_capital": capital,
                        "licence_status": None,
                    }
                )
        obligors = [p for p in parties if p["role"] is PartyRole.OBLIGOR]
        handler = rnd.choice(handlers)

        # contact logs: ~10 per case, more for longer supervision
        n_logs = min(40, max(0, int(rnd.gauss(10, 4)))) if age > 3 else rnd.randint(0, 2)
        days_iter = _days_between(rnd, received, work_end)
        moments = sorted(gen.when(next(days_iter)) for _ in range(n_logs))
        for i in range(1, len(moments)):  # strictly increasing: "the latest call" is one call
            if moments[i] <= moments[i - 1]:
                moments[i] = moments[i - 1] + timedelta(seconds=1)
        last_follow_up: date | None = None
        for i, when in enumerate(moments):
            day = when.date()
            ckind = rnd.choices(
                (
                    ContactKind.PHONE,
                    ContactKind.VISIT,
                    ContactKind.INTERVIEW,
                    ContactKind.MESSAGE,
                    ContactKind.ASSISTED,
                ),
                weights=(70, 10, 6, 10, 4),
            )[0]
            reached = rnd.random() < 0.65
            promise = reached and rnd.random() < 0.2
            follow = day + timedelta(days=rnd.randint(3, 20)) if rnd.random() < 0.6 else None
            if i == len(moments) - 1:
                last_follow_up = follow
            target = rnd.choice(obligors)
            out["contact"].append(
                _record(when)
                | {
                    "case_id": case_id,
                    "kind": ckind,
                    "contacted_at": when,
                    "handler_id": handler,
                    "party_id": target["id"],
                    "contact_name": target["name"],
                    "number_or_place": (target["phones"] or "").split("、")[0] or target["address"],
                    "reached": reached,
                    "summary": rnd.choice(SUMMARIES),
                    "promise_amount": (amount / rnd.choice((2, 3, 4))).quantize(Decimal("0.01"))
                    if promise
                    else None,
                    "promise_date": day + timedelta(days=rnd.randint(5, 30)) if promise else None,
                    "next_follow_up": follow,
                    "others_present": None,
                    "corrects_id": None,
                }
            )

        # payments
        paid = Decimal("0.00")
        if status in (CaseStatus.PERFORMED, CaseStatus.SETTLEMENT_PERFORMED, CaseStatus.ARCHIVED):
            parts = rnd.randint(1, 3)
            shares = [amount / parts] * parts
        elif rnd.random() < 0.3:
            shares = [amount * Decimal(rnd.randint(5, 60)) / 100]
        else:
            shares = []
        for share in shares:
            value = share.quantize(Decimal("0.01"))
            if value <= 0:
                continue
            paid += value
            day = next(_days_between(rnd, received, work_end))
            out["payment"].append(
                _record(gen.when(day))
                | {
                    "case_id": case_id,
                    "paid_on": day,
                    "amount": value,
                    "method": rnd.choice(list(PaymentMethod)),
                    "payer": obligors[0]["name"],
                    "overpayment_confirmed": False,
                    "note": None,
                }
            )

        # settlements with installments
        if status in (CaseStatus.SETTLED, CaseStatus.SETTLEMENT_PERFORMED) or rnd.random() < 0.05:
            signed = next(_days_between(rnd, received, work_end))
            settlement = _record(gen.when(signed)) | {
                "case_id": case_id,
                "signed_on": signed,
                "terms": "被申请人分期向申请人支付欠款",
                "default_clause": "任何一期未按时足额支付，申请人可就全部剩余款项申请强制执行",
                "guarantee": None,
                "total_amount": amount,
                "status": SettlementStatus.PERFORMED
                if status is CaseStatus.SETTLEMENT_PERFORMED
                else SettlementStatus.ACTIVE,
            }
            out["settlement"].append(settlement)
            count = rnd.randint(2, 6)
            each = (amount / count).quantize(Decimal("0.01"))
            for k in range(count):
                value = each if k < count - 1 else amount - each * (count - 1)
                out["installment"].append(
                    _record(settlement["created_at"])
                    | {
                        "settlement_id": settlement["id"],
                        "seq": k + 1,
                        "due_date": signed + timedelta(days=30 * (k + 1)),
                        "amount": value,
                    }
                )

        # preservation already in place
        if rnd.random() < 0.1:
            pkind = rnd.choice(list(PreservationKind))
            frozen = received - timedelta(days=rnd.randint(30, 400))
            years = {"bank_deposit": 1, "movable": 2, "real_property": 3}.get(pkind.value, 1)
            out["preservation"].append(
                _record(created)
                | {
                    "case_id": case_id,
                    "kind": pkind,
                    "description": {"bank_deposit": "冻结被申请人银行存款"}.get(
                        pkind.value, "查封被申请人财产"
                    ),
                    "frozen_on": frozen,
                    "expires_on": frozen + timedelta(days=365 * years),
                    "amount": amount if pkind is PreservationKind.BANK_DEPOSIT else None,
                }
            )

        # the derived docket columns, as docket.refresh_derived computes them
        words = [case_no, original_no]
        for p in parties:
            words += [p["name"], p["id_number"] or "", *split_phones(p["phones"])]
        next_due = None
        if status not in CLOSED_STATUSES:
            candidates = [gen.limit_end(received)]
            if last_follow_up is not None:
                candidates.append(last_follow_up)
            next_due = min(candidates)
        livelihood_kind = LIVELIHOOD.get(cause)
        case = _record(created) | {
            "id": case_id,
            "case_no": case_no,
            "case_year": year,
            "case_seq": seq,
            "source": "handover" if rnd.random() < 0.85 else "application",
            "original_case_no": original_no,
            "original_doc_type": "判决书" if rnd.random() < 0.7 else "调解书",
            "cause": cause,
            "effective_date": effective,
            "performance_deadline": effective + timedelta(days=15),
            # The applicant's 申请执行书, received with the case: without it a case cannot be
            # transferred to enforcement (Civil Procedure Law art. 247), nor packaged for it.
            "application_received_on": received,
            "department": rnd.choice(DEPARTMENTS),
            "trial_judge": gen.person_name(),
            "amount_due": amount,
            "obligation_act": None,
            "livelihood": livelihood_kind is not None,
            "livelihood_kind": livelihood_kind,
            "handler_id": handler,
            "tribunal_id": rnd.choice(tribunals) if rnd.random() < 0.4 else None,
            "status": status,
            "received_date": received,
            "closed_date": closed_date,
            "close_reason": None,
            "notes": None,
            "amount_paid": paid,
            "next_due_date": next_due,
            "obligor_names": "、".join(p["name"] for p in obligors)[:500],
            "search_text": " ".join(w for w in words if w).lower(),
        }
        out["case"].append(case)
        out["party"].extend(parties)

        # one audit event per case, on the chain
        after = {
            "case_no": case_no,
            "original_case_no": original_no,
            "amount_due": str(amount),
            "status": status.value,
            "parties": [p["name"] for p in parties],
        }
        ev = SimpleNamespace(
            id=new_id(),
            at=created,
            actor="bench",
            action="create",
            entity="case",
            entity_id=case_id,
            case_id=case_id,
            before_json=None,
            after_json=json.dumps(after, ensure_ascii=False, sort_keys=True),
            origin="court",
            prev_hash=state["prev_hash"],
        )
        ev.hash = audit._digest(ev.prev_hash, ev, state["key"])  # type: ignore[arg-type]
        state["prev_hash"] = ev.hash
        out["audit"].append(vars(ev))
    return out


def refresh_next_due(db: Database, tables: Tables) -> None:
    """Recompute next_due_date of every open case in bulk with the due-list rules, when present.

    The generator's own estimate (supervision limit vs. latest promised follow-up) stands in for
    a program without services/supervision/dues.py; with it, the docket column follows its rules exactly.
    """
    try:
        from zhiqian_desktop.services.supervision.dues import (
            DueCalculator,
            DueFilter,
            load_facts,
            rules_from_settings,
        )
    except ImportError:
        return
    with db.reader() as s:
        calc = DueCalculator(rules_from_settings(s), load_calendar(s))
        updates = [
            {"cid": f.case_id, "due": calc.next_due(f)}
            for f in load_facts(s, DueFilter(open_only=True))
        ]
    case = tables.case
    with db.engine.begin() as conn:
        conn.execute(
            update(case)
            .where(case.c.id == bindparam("cid"))
            .values(next_due_date=bindparam("due")),
            updates,
        )
    # The rows were written with Core, past the session events that keep the due-list's stored
    # deadlines in step: compute them all once, as the migration does for an existing database.
    try:
        from zhiqian_desktop.services.supervision.due_items import rebuild_due_items
    except ImportError:
        return
    with db.unit_of_work() as s:
        rebuild_due_items(s)


def check_sample(path: Path, size: int = 300) -> None:
    """Recompute the derived columns of a sample through the service and compare; verify the chain."""
    from zhiqian_desktop.services.core.audit import verify_chain
    from zhiqian_desktop.services.intake.docket import refresh_derived
    from zhiqian_desktop.store.models import SupervisionCase

    fields = ("obligor_names", "search_text", "amount_paid", "next_due_date")
    db = open_database(sqlite_url(path))
    try:
        with db.reader() as s:  # closed without commit: nothing is written
            limit = settings_service.get_settings(s).supervision_limit_days
            ids = list(s.scalars(select(SupervisionCase.id).order_by(SupervisionCase.id)))
            for case_id in random.Random(1).sample(ids, min(size, len(ids))):
                case = s.get_one(SupervisionCase, case_id)
                stored = [getattr(case, f) for f in fields]
                with s.no_autoflush:
                    refresh_derived(s, case, limit_days=limit)
                fresh = [getattr(case, f) for f in fields]
                if stored != fresh:
                    raise AssertionError(f"{case.case_no}: generated {stored} != service {fresh}")
        with db.reader() as s:
            _check_due_items(s)
            report = verify_chain(s)
        if not report.ok:
            raise AssertionError(f"audit chain broken at seq {report.first_broken_seq}")
    finally:
        db.dispose()


def _check_due_items(s: Any) -> None:
    """The due-list read from the stored deadlines equals the one computed from the data."""
    try:
        from zhiqian_desktop.services.supervision.dues import computed_due_list, due_list
    except ImportError:
        return
    today = date.today()
    if due_list(s, today) != computed_due_list(s, today):
        raise AssertionError("stored due items differ from the due-list computed from the data")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=parse_cases, default=DEFAULT_CASES, help="e.g. 10k")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="default: bench/.cache/bench-100k.db (by size)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the cache is current")
    parser.add_argument(
        "--database-url",
        help="also fill this PostgreSQL database (a court server) from the SQLite file, with the "
        "app's copy-database; made on the server when missing",
    )
    args = parser.parse_args(argv)
    if args.database_url:
        from bench import server

        server.fill(
            args.database_url,
            lambda: ensure_database(args.out, cases=args.cases, seed=args.seed),
            stamp_for(args.cases, args.seed),
            force=args.force,
        )
        return 0
    args.out = args.out or default_path(args.cases)
    if not args.force and is_current(args.out, args.cases, args.seed):
        ensure_database(args.out, cases=args.cases, seed=args.seed)
        print(f"{args.out} is current (delete it or pass --force to rebuild)")
        return 0
    build(args.out, cases=args.cases, seed=args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
