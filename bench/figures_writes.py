"""Figures that write: a notice, a batch for a trip, transfer packages, an import, the backup, the
check, and four desks saving at once. They work on a private copy of the benchmark database (made
once per run), so the cached one is never changed.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bench.core import (
    PAGE,
    ROOT,
    SQLITE_ONLY,
    Context,
    Measured,
    NotAvailable,
    figure,
    median_ms,
    python_env,
)
from bench.floors import bare_page_ms, captured_sql, file_copy_seconds, replay
from zhiqian_desktop.domain.kinds import DocumentKind
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.core.users import default_actor
from zhiqian_desktop.services.intake.docket import DocketQuery, count_cases, list_cases
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import SupervisionCase


def take_open_cases(ctx: Context, n: int) -> list[str]:
    """The next `n` of the newest open cases of the write copy (each figure that issues or saves
    for a case takes its own, so none sees another's documents)."""
    taken = int(ctx.cache.get("open_cases_taken", 0))
    with ctx.write_db.reader() as s:
        ids = s.scalars(
            select(SupervisionCase.id)
            .where(
                SupervisionCase.status.in_([CaseStatus.REGISTERED, CaseStatus.SUPERVISING]),
                SupervisionCase.deleted_at.is_(None),
            )
            .order_by(SupervisionCase.case_year.desc(), SupervisionCase.case_seq.desc())
            .offset(taken)
            .limit(n)
        ).all()
    if len(ids) < n:
        raise NotAvailable(
            f"only {taken + len(ids)} open cases in the database, {taken + n} needed"
        )
    ctx.cache["open_cases_taken"] = taken + n
    return list(ids)


def _admin(db: Database) -> Any:
    with db.reader() as s:
        return default_actor(s)


@figure("notice: issue one urging notice (render + store + audit)", 25)
def one_notice(ctx: Context) -> Measured:
    from zhiqian_desktop.services.supervision.notices import issue_notice

    db = ctx.write_db
    actor = _admin(db)
    case_ids = iter(take_open_cases(ctx, ctx.runs + ctx.work.warm_up))

    def action() -> None:
        with db.unit_of_work() as s:
            issue_notice(s, actor, next(case_ids), DocumentKind.URGING, today=ctx.today)

    return Measured(median_ms(ctx, action), bare_page_ms(ctx), "bare ReportLab page, same face")


@figure("batch: 200 supervision notices with service receipts (one PDF)", 5, unit="s")
def batch_notices(ctx: Context) -> Measured:
    from zhiqian_desktop.services.closing.batch_print import issue_batch

    db = ctx.write_db
    actor = _admin(db)
    count = ctx.work.batch
    case_ids = take_open_cases(ctx, count)
    out = ctx.scratch / "batch.pdf"
    start = time.perf_counter()
    result = issue_batch(
        db,
        actor,
        case_ids,
        DocumentKind.SUPERVISION_NOTICE,
        receipts=True,
        today=ctx.today,
        output=out,
    )
    seconds = time.perf_counter() - start
    documents = len(result.documents) + len(result.receipts)
    ctx.notes["batch"] = (
        f"{len(result.documents)} notices + {len(result.receipts)} receipts, "
        f"{out.stat().st_size / 2**20:.1f} MB PDF (one run); floor: {documents} bare pages"
    )
    floor = documents * bare_page_ms(ctx) / 1000
    return Measured(seconds, floor, f"{documents} bare ReportLab pages")


@figure("transfer package: busiest case (zip + verify)", 5, unit="s", backends=SQLITE_ONLY)
def package_busiest(ctx: Context) -> float:
    from bench import bench_package

    path = ctx.write_db.path
    assert path is not None
    result = bench_package.measure(path, runs=ctx.work.package_runs)
    passed_over = (
        f"; {len(result['refused'])} busier case(s) refused by the app: {result['refused'][0]}"
        if result["refused"]
        else ""
    )
    ctx.notes["package (busiest)"] = (
        f"{result['contact_logs']} contact logs, {result['payments']} payments, "
        f"{result['files']} files, {result['zip_bytes'] / 2**20:.1f} MB{passed_over}"
    )
    return float(result["seconds"])


@figure(
    "transfer package: 200 contact logs + 30 attachments (20 MB)", 3, unit="s", backends=SQLITE_ONLY
)
def package_synthetic(ctx: Context) -> float:
    from bench import bench_package

    logs, files, mb = ctx.work.package_synthetic
    result = bench_package.measure_synthetic(logs, files, mb, runs=ctx.work.package_runs)
    return float(result["seconds"])


@figure("import: 5,000 rows validated and imported (fresh db)", 3, unit="s", backends=SQLITE_ONLY)
def import_rows(ctx: Context) -> float:
    from bench import bench_import

    with tempfile.TemporaryDirectory() as tmp:
        result = bench_import.measure_import(tmp, rows=ctx.work.import_rows)
    ctx.notes["import"] = (
        f"{result['rows']} rows / {result['cases']} cases; validation alone "
        f"{result['validate_seconds']} s"
    )
    return float(result["validate_and_import_seconds"])


@figure(
    "backup: the file copied under the write lock and compared with the database",
    None,
    unit="s",
    max_ratio=1.5,
    backends=SQLITE_ONLY,
)
def backup(ctx: Context) -> Measured:
    from zhiqian_desktop.store.backup import backup_to

    assert ctx.db_path is not None
    folder = ctx.scratch / "backup"
    folder.mkdir(exist_ok=True)
    copy_seconds = file_copy_seconds(ctx.db_path, folder)
    start = time.perf_counter()
    dest = backup_to(ctx.db_path, folder / "backup.db")
    seconds = time.perf_counter() - start
    ctx.notes["backup"] = f"{dest.stat().st_size / 2**20:.0f} MB copy (one run each)"
    dest.unlink()
    return Measured(seconds, copy_seconds, "plain file copy + fsync")


@figure(
    "check: integrity_check + audit chain + every audited row's seal (zhiqian check)", 30, unit="s"
)
def check(ctx: Context) -> Measured:
    from zhiqian_desktop.services.admin.maintenance import check as run_check

    start = time.perf_counter()
    with captured_sql(ctx.db.engine) as statements:
        report = run_check(ctx.db)
    seconds = time.perf_counter() - start
    if not report.ok:
        raise NotAvailable(
            f"zhiqian check fails on this database: {report.integrity}, {report.chain},"
            f" {report.records}"
        )
    start = time.perf_counter()
    replay(ctx.db.engine, statements)()
    floor = time.perf_counter() - start
    ctx.notes["check"] = f"{report.chain.events:,} audit events (one run each)"
    return Measured(seconds, floor, "raw SQL (rows fetched, not hashed)")


# --- four desks at once --------------------------------------------------------------------------

DESK_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from zhiqian_desktop.domain.kinds import ContactKind
    from zhiqian_desktop.services.supervision import contacts
    from zhiqian_desktop.services.admin.maintenance import open_app_database
    from zhiqian_desktop.services.core.users import default_actor
    db = open_app_database(sys.argv[1], check=False)
    with db.reader() as s:
        actor = default_actor(s)
    case_ids = sys.argv[2].split(",")
    when = datetime.fromisoformat(sys.argv[3])
    def save(case_id):
        start = time.perf_counter()
        with db.unit_of_work() as s:
            contacts.log_contact(
                s, actor, case_id,
                contacts.ContactInput(ContactKind.PHONE, when, True, summary="电话督促，被申请人承诺月底前履行"),
                now=when,
            )
        return (time.perf_counter() - start) * 1000
    save(case_ids[0])  # a desk open since the morning: its first save's one-time costs are behind it
    print("READY", flush=True)
    sys.stdin.readline()  # the signal to start, so that the desks save at the same time
    times = [save(case_id) for case_id in case_ids[1:]]
    print("RESULT", *times, flush=True)
    db.dispose()
    """
)


def _desks(
    ctx: Context, url: str, groups: list[list[str]], while_waiting: Any = None
) -> tuple[list[float], list[float]]:
    """Desk processes saving contact logs at the same moment; their save times, and the times of
    `while_waiting` (a read) run over and over until they finish."""
    import subprocess
    import sys

    when = datetime(ctx.today.year, ctx.today.month, ctx.today.day, 2, tzinfo=UTC).isoformat()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", DESK_SCRIPT, url, ",".join(ids), when],
            cwd=ROOT,
            env=python_env(ctx),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for ids in groups
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "READY":
                err = p.communicate()[1].strip().splitlines()
                raise NotAvailable((err or ["a desk did not start"])[-1][:160])
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        reads: list[float] = []
        while while_waiting is not None and any(p.poll() is None for p in procs):
            start = time.perf_counter()
            while_waiting()
            reads.append((time.perf_counter() - start) * 1000)
        saves: list[float] = []
        for p in procs:
            out, err = p.communicate()
            line = next((ln for ln in out.splitlines() if ln.startswith("RESULT")), None)
            if p.returncode != 0 or line is None:
                raise NotAvailable((err.strip().splitlines() or ["a desk failed"])[-1][:160])
            saves += [float(x) for x in line.split()[1:]]
    finally:
        for p in procs:  # a desk that failed leaves no process behind
            if p.poll() is None:
                p.kill()
                p.communicate()
            for stream in (p.stdin, p.stdout, p.stderr):
                if stream is not None:
                    stream.close()
    return saves, reads


def _four_desks(ctx: Context) -> dict[str, Any]:
    if "desks" not in ctx.cache:
        url = ctx.write_url()
        n = ctx.work.desk_saves
        # Five desks' cases (one desk alone, then four at once), each with one to warm up on.
        per = n + 1
        ids = take_open_cases(ctx, 5 * per)
        alone, _ = _desks(ctx, url, [ids[:per]])
        read = _first_page(ctx, ctx.write_db)
        quiet = median_ms(ctx, read)
        saves, reads = _desks(
            ctx, url, [ids[per * (i + 1) : per * (i + 2)] for i in range(4)], read
        )
        ctx.cache["desks"] = {
            "alone": statistics.median(alone),
            "saves": saves,
            "quiet_read": quiet,
            "reads": reads,
        }
        ctx.notes["four desks"] = (
            f"{len(saves)} contact logs saved by 4 processes at once (slowest "
            f"{max(saves):.0f} ms); {len(reads)} docket pages read meanwhile, on the write copy"
        )
    return dict(ctx.cache["desks"])


def _first_page(ctx: Context, db: Database) -> Callable[[], object]:
    """The docket's first page (count and 200 rows) on the database the desks write to."""

    def action() -> object:
        with db.reader() as s:
            q = DocketQuery()
            return count_cases(s, q), list_cases(s, q, today=ctx.today, limit=PAGE)

    return action


@figure("four desks writing at once: one contact log saved (median over the desks)", None)
def desks_save(ctx: Context) -> Measured:
    result = _four_desks(ctx)
    return Measured(statistics.median(result["saves"]), result["alone"], "one desk saving alone")


@figure("four desks writing at once: docket first page read meanwhile", 150)
def desks_read(ctx: Context) -> Measured:
    result = _four_desks(ctx)
    if not result["reads"]:
        raise NotAvailable("the desks finished before a page could be read")
    return Measured(
        statistics.median(result["reads"]), result["quiet_read"], "the same page, no writers"
    )
