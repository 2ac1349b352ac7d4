"""Moving a whole docket between a local SQLite file and a court server (PostgreSQL), and back.

Every table is copied in dependency order inside one write transaction on the target, and checked
there before the commit: the row count and a SHA-256 over the rows in primary-key order, with
values normalised (money as Decimal text, times in UTC, codes as their strings), must equal the
source's. A failure of any kind rolls the target back to empty. The source is read in one snapshot,
so desks may keep working on it meanwhile (their later changes are not copied).

Files (the contents of attachments and issued PDFs) follow the target's store (store/files.py):
from a file's folder into the server's ``stored_file`` table, or back out into the folder beside
the new file; each one's SHA-256 is checked as it is read and again in the target, and their
number and a checksum over them are compared like a table's. Only files that a record names are
copied; one named but missing at the source is reported, not invented.

The audit chain: a local file's chain may be keyed with the court secret kept beside the file; a
server's chain is unkeyed (services/core/audit.py). When the keys differ, the source chain is verified
with its own key first, then the copied events are linked again with the target's key; their
content is checked as above, their links by verifying the new chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, String, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.maintenance import open_app_database, record_head
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.exchange.court_key import (
    COURT_KEY_SECRET,
    court_key,
    court_key_path,
    read_court_key,
    write_court_key,
)
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import check_url, sqlite_file, sqlite_url
from zhiqian_desktop.store.files import FileStore
from zhiqian_desktop.store.migrations import current_revision
from zhiqian_desktop.store.models import Attachment, AuditEvent, Base, CourtSecret, Document

ProgressFn = Callable[[int, int, str], None]
BATCH = 2000
CHAIN_COLUMNS = frozenset({"prev_hash", "hash"})


def as_url(location: str) -> str:
    """A database URL, or a path to an SQLite file as a clerk would type it."""
    location = location.strip()
    if not location:
        raise UserError("请指定数据库：文件路径，或 postgresql+psycopg://用户@服务器/数据库")
    if "://" in location:
        return check_url(location)
    return sqlite_url(Path(location).expanduser())


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    tables: list[TableCheck]
    relinked_chain: bool = False
    notes: list[str] = field(default_factory=list)
    files: TableCheck | None = None
    """The files copied: how many, and a SHA-256 over their names and sizes."""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


FILE_TABLE = "stored_file"
"""Copied file by file between the two databases' stores, never as rows (see copy_files)."""


def tables_in_order() -> list[Table]:
    """Every table of rows, each after the tables it refers to (the file contents apart)."""
    return [t for t in Base.metadata.sorted_tables if t.name != FILE_TABLE]


def _norm(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _ordered(table: Table, conn: Connection) -> Any:
    """The table's rows in primary-key order, the same order on every backend (byte order)."""
    keys: list[Any] = []
    for column in table.primary_key.columns:
        if isinstance(column.type, String) and conn.dialect.name == "postgresql":
            keys.append(column.collate("C"))
        else:
            keys.append(column)
    return select(table).order_by(*keys)


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    # Options per statement: Connection.execution_options would change the connection itself.
    result = conn.execute(
        _ordered(table, conn), execution_options={"stream_results": True, "yield_per": BATCH}
    )
    for row in result:
        yield {column.key: row._mapping[column] for column in table.columns}


class _Digest:
    def __init__(self, table: Table, skip: frozenset[str] = frozenset()) -> None:
        self.columns = [c.key for c in table.columns if c.key not in skip]
        self.hash = hashlib.sha256()
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        line = json.dumps([_norm(row[c]) for c in self.columns], ensure_ascii=False)
        self.hash.update(line.encode("utf-8") + b"\n")
        self.count += 1

    def check(self, name: str) -> TableCheck:
        return TableCheck(name, self.count, self.hash.hexdigest())


def table_checks(conn: Connection, skip_chain: bool = False) -> list[TableCheck]:
    """Row count and SHA-256 of every table, as the copy compares them."""
    checks = []
    for table in tables_in_order():
        skip = CHAIN_COLUMNS if skip_chain and table.name == "audit_event" else frozenset()
        digest = _Digest(table, skip)
        for row in _rows(conn, table):
            digest.add(row)
        checks.append(digest.check(table.name))
    return checks


def _self_references(table: Table) -> list[str]:
    return [fk.parent.key for fk in table.foreign_keys if fk.column.table is table]


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    try:
        conn.execute(table.insert(), rows)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(
            f"复制表“{table.name}”时目标数据库拒绝了数据：{first}；目标数据库未作任何改动"
        ) from exc


def _chain_key(db: Database) -> bytes | None:
    path = db.path
    return audit.read_key(path) if path is not None else None


def _event(row: dict[str, Any]) -> AuditEvent:
    """An audit event's columns, as the chain's digest reads them (not added to any session)."""
    return AuditEvent(**row)


def _relink_chain(conn: Connection, key: bytes | None) -> None:
    """Recompute every event's link with the target's key, in chain order."""
    table = Base.metadata.tables["audit_event"]
    prev = audit.GENESIS
    updates = []
    for row in _rows(conn, table):
        digest = audit._digest(prev, _event(row), key)
        updates.append({"s": row["seq"], "p": prev, "h": digest})
        prev = digest
    for start in range(0, len(updates), BATCH):
        conn.execute(
            text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE seq = :s"),
            updates[start : start + BATCH],
        )


def _reset_sequences(conn: Connection) -> None:
    """Rows came with their own ids: the server's counters must continue after them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables_in_order():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                conn.execute(
                    text(
                        f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '
                        f'FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"s": sequence},
                )


def _require_empty(conn: Connection, where: str) -> None:
    for table in Base.metadata.sorted_tables:
        if conn.execute(select(func.count()).select_from(table)).scalar():
            raise UserError(
                f"目标数据库“{where}”已有数据（表 {table.name} 不为空）；为免覆盖，只能复制到空数据库。"
                "请另建一个空数据库，或指定一个新的文件"
            )


def copy_database(
    source_url: str, target_url: str, *, progress: ProgressFn | None = None
) -> CopyReport:
    """Copy every row of the database at `source_url` into the empty one at `target_url`."""
    if source_url == target_url:
        raise UserError("来源和目标是同一个数据库")
    source_file = sqlite_file(source_url)
    if source_file is not None and not source_file.is_file():
        raise UserError(f"来源数据库文件“{source_file}”不存在；请检查路径（未创建任何文件）")
    _check_target_file(source_url, target_url)
    source = open_app_database(source_url)
    try:
        target = open_app_database(target_url)
        try:
            return _copy(source, target, progress)
        finally:
            target.dispose()
    finally:
        source.dispose()


def _check_target_file(source_url: str, target_url: str) -> None:
    """A target file must be a new name or a database file, never the source under another name
    (a link) nor a folder or a device."""
    target = sqlite_file(target_url)
    if target is None or not os.path.lexists(target):
        return
    source = sqlite_file(source_url)
    if source is not None and source.exists() and os.path.samefile(source, target):
        raise UserError(f"来源和目标是同一个数据库文件（“{target}”）；请另选目标文件")
    if not stat.S_ISREG(os.stat(target).st_mode):
        raise UserError(
            f"目标“{target}”不是普通文件（是文件夹、设备或其他特殊文件）；请另选目标文件"
        )


def copy_rows(source: Database, target: Database) -> CopyReport:
    """Every row of ``source`` into the empty ``target``, checked as ``copy_database`` checks
    them, without the files or the court key (an offline kit carries its own files)."""
    return _copy(source, target, None, with_files=False)


def _copy(
    source: Database, target: Database, progress: ProgressFn | None, *, with_files: bool = True
) -> CopyReport:
    if current_revision(source.engine) != current_revision(target.engine):
        raise UserError("来源和目标数据库的结构版本不同；请用同一版本的程序打开两者后再复制")
    source_key, target_key = _chain_key(source), _chain_key(target)
    relink = source_key != target_key
    notes: list[str] = []
    if source.path is not None:
        record_head(source, "export", target.location)
    with source.reader() as session:
        if relink:
            report = audit.verify_chain(session)
            if not report.ok:
                raise UserError(
                    f"来源数据库的审计链核对未通过（第{report.first_broken_seq}条：{report.reason}）；"
                    "请先查明原因，未复制任何数据"
                )
            notes.append(
                "审计链已按目标数据库的方式重新链接"
                + ("（服务器使用不加密钥的 SHA-256 链）" if target.path is None else "")
            )
        src = session.connection()
        counts = {
            t.name: int(src.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in tables_in_order()
        }
        shas = named_files(session) if with_files else []
        # Progress counts rows, then files.
        total, done = sum(counts.values()) + len(shas), 0
        _report(progress, 0, total, "开始复制")
        expected: list[TableCheck] = []
        with target.engine.begin() as dst:
            _require_empty(dst, target.location)
            for table in tables_in_order():
                skip = CHAIN_COLUMNS if relink and table.name == "audit_event" else frozenset()
                digest = _Digest(table, skip)
                self_refs = _self_references(table)
                links: list[dict[str, Any]] = []
                batch: list[dict[str, Any]] = []
                for row in _rows(src, table):
                    digest.add(row)
                    if self_refs and any(row[c] is not None for c in self_refs):
                        # A correction may sort before the entry it corrects: link afterwards.
                        links.append(row)
                        row = {**row, **dict.fromkeys(self_refs)}
                    batch.append(row)
                    if len(batch) >= BATCH:
                        _insert(dst, table, batch)
                        done += len(batch)
                        batch = []
                        _report(progress, done, total, f"正在复制 {table.name}")
                if batch:
                    _insert(dst, table, batch)
                    done += len(batch)
                _link_rows(dst, table, self_refs, links)
                expected.append(digest.check(table.name))
                _report(progress, done, total, f"已复制 {table.name}（{digest.count} 行）")
            _reset_sequences(dst)
            if relink:
                _relink_chain(dst, target_key)
            _report(progress, done, total, "正在核对行数和校验和")
            actual = table_checks(dst, skip_chain=relink)
            _compare(expected, actual)
            if relink:
                _verify_relinked(dst, target_key)
            files = None
            if with_files:
                files = copy_files(
                    session,
                    shas,
                    source.files,
                    dst,
                    target.files,
                    notes,
                    lambda n, text: _report(progress, done + n, total, text),
                )
                _carry_court_key(source, target, dst, notes)
    _report(progress, total, total, "复制完成，行数和校验和一致")
    return CopyReport(source.location, target.location, expected, relink, notes, files)


def named_files(conn: Connection | Session) -> list[str]:
    """The SHA-256 of every file a record names (attachments and issued PDFs), sorted."""
    named = {*conn.execute(select(Attachment.sha256)).scalars()}
    named.update(conn.execute(select(Document.pdf_sha256)).scalars())
    return sorted(sha for sha in named if sha)


def copy_files(
    src: Session,
    shas: list[str],
    source: FileStore,
    dst: Connection,
    target: FileStore,
    notes: list[str],
    progress: Callable[[int, str], None],
) -> TableCheck:
    """Copy the named files into the target's store (in the target's transaction when the
    store is the database), each checked by its SHA-256 on the way out and in the target."""
    missing: list[str] = []
    expected = _Files()
    for n, sha in enumerate(shas, 1):
        payload = source.read(src, sha)
        if payload is None:
            missing.append(sha)
            continue
        if hashlib.sha256(payload).hexdigest() != sha:
            raise UserError(
                f"来源数据库的文件 {source.where(sha)} 与其校验值不符（已被改动或损坏）；"
                "请先从备份恢复该文件，目标数据库未作任何改动"
            )
        target.put_bytes(dst, payload)
        expected.add(sha, len(payload))
        progress(n, f"正在复制附件和文书（{n}/{len(shas)}）")
    progress(len(shas), "正在核对附件和文书")
    actual = _Files()
    for sha in shas:
        if sha in missing:
            continue
        payload = target.read(dst, sha)
        if payload is None or hashlib.sha256(payload).hexdigest() != sha:
            raise UserError(
                f"核对未通过：文件 {sha[:12]}… 在目标数据库中缺失或与来源不一致；"
                "目标数据库未作任何改动"
            )
        actual.add(sha, len(payload))
    _compare([expected.check()], [actual.check()])
    if missing:
        notes.append(
            f"来源中有 {len(missing)} 个文件被记录引用但已缺失（例如 {missing[0][:12]}…），"
            "未能复制；请从来源的备份中找回后用“附件”补上"
        )
    return expected.check()


def _carry_court_key(source: Database, target: Database, dst: Connection, notes: list[str]) -> None:
    """The key that signs offline kits moves with the docket (a file beside a database file, a
    secret in a server database), so the tribunals' change packages can still be imported."""
    key = court_key(source)
    if key is None:
        return
    if target.path is None:
        there = dst.execute(
            select(CourtSecret.value).where(CourtSecret.name == COURT_KEY_SECRET)
        ).scalar_one_or_none()
        if there is None:
            dst.execute(insert(CourtSecret).values(name=COURT_KEY_SECRET, value=key.hex()))
    elif read_court_key(court_key_path(target)) is None:
        write_court_key(court_key_path(target), key)
    notes.append("离线包的法院密钥已随数据库复制，各法庭已有离线包的变更包仍可导入")


class _Files:
    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.count = 0

    def add(self, sha: str, size: int) -> None:
        self.hash.update(f"{sha} {size}\n".encode("ascii"))
        self.count += 1

    def check(self) -> TableCheck:
        return TableCheck("附件和文书文件", self.count, self.hash.hexdigest())


def _link_rows(
    dst: Connection, table: Table, columns: list[str], rows: Iterable[dict[str, Any]]
) -> None:
    pk = list(table.primary_key.columns)
    for row in rows:
        dst.execute(
            table.update()
            .where(*(c == row[c.key] for c in pk))
            # Every column, not only the links: a column's onupdate (updated_at) must not fire.
            .values({k: v for k, v in row.items() if k not in {c.key for c in pk}})
        )


def _compare(expected: list[TableCheck], actual: list[TableCheck]) -> None:
    for want, got in zip(expected, actual, strict=True):
        if want.rows != got.rows:
            raise UserError(
                f"核对未通过：表 {want.table} 来源 {want.rows} 行，目标 {got.rows} 行；"
                "目标数据库未作任何改动"
            )
        if want.sha256 != got.sha256:
            raise UserError(
                f"核对未通过：表 {want.table} 的数据在目标数据库中与来源不一致（校验和不同）；"
                "目标数据库未作任何改动"
            )


def _verify_relinked(dst: Connection, key: bytes | None) -> None:
    table = Base.metadata.tables["audit_event"]
    prev = audit.GENESIS
    for row in _rows(dst, table):
        digest = audit._digest(prev, _event(row), key)
        if row["prev_hash"] != prev or digest != row["hash"]:
            raise UserError("重新链接后的审计链核对未通过；目标数据库未作任何改动")
        prev = row["hash"]


def _report(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)
