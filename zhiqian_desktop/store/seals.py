"""Seals on the audited records: a keyed MAC per row, kept by the store on every write made
through a session, and an anchor of the audit chain's head outside the database.

The audit trail records every change the app makes, but a change made around the app (another
SQLite tool, an SQL console on the server) leaves no event. Each row of the audited tables
therefore has a seal in ``row_seal``: HMAC-SHA-256 over the row's columns, with a key the
database does not hold (``records.key`` in the folder beside a database file; on a court server a
secret in the database, see docs/security.md for what that does and does not stop). ``zhiqian
check`` recomputes every seal: a row changed, added or removed around the app no longer matches.

The newest audit event is anchored outside the table (``audit-anchor.json`` beside a database
file, written after every commit that appended events and MACed with the same key): deleting the
newest events, or all of them, leaves the anchor pointing at an event that is gone.

Seals are recomputed after every schema upgrade (store/migrations.py), so a migration that
rewrites rows keeps them valid; the first one, which added the table, sealed the rows already
there (docs/security.md says what that means for a database changed before it).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, select, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from zhiqian_desktop.store import renames
from zhiqian_desktop.store.engine import READ_ONLY_OPTION, file_engine, sqlite_file
from zhiqian_desktop.store.locations import attachments_dir
from zhiqian_desktop.store.models import Base, CourtSecret, RowSeal
from zhiqian_desktop.store.private import DIR_MODE, open_private, write_once

KEY_FILE = "records.key"
ANCHOR_FILE = "audit-anchor.json"
SECRET_NAME = "records_key"
"""The key's name among a court server's secrets (court_secret)."""

SEALED_TABLES = (
    "court_settings",
    "app_user",
    "tribunal",
    "case_number_block",
    "offline_kit",
    "supervision_case",
    "party",
    "contact_log",
    "document",
    "service",
    "payment",
    "settlement",
    "installment",
    "preservation_application",
    "preservation",
    "mediator",
    "mediation",
    "suggestion",
    "suggestion_case",
    "outbox_message",
    "attachment",
)
"""The court's records: settings, users and roles, the number blocks and kits issued, the cases
and everything recorded for them."""

AUDITED_AS = {"case": "supervision_case", "user": "app_user", **{t: t for t in SEALED_TABLES}}
"""The audit trail's name for a record (the app's own words, and the table names that changes
merged from a kit carry) → its sealed table. The app never deletes such a record, so an event
about one whose row is gone shows a row removed around the app together with its seal."""

UNSEALED_COLUMNS = frozenset({"next_due_date", "search_text", "updated_at"})
"""Derived columns the services rewrite in bulk from the sealed ones (the due list, search), and
the time of the last write, which such a bulk update moves too (the version counter and the
user who last changed the record are sealed)."""

_BATCH = 500
_PENDING = "zhiqian.seal_pending"
_TOUCHED = "zhiqian.seal_touched"
_COMMITTING = "zhiqian.seal_committing"
_TABLES = {Base.metadata.tables[name] for name in SEALED_TABLES}
_SEALS = Base.metadata.tables[RowSeal.__tablename__]
_SECRETS = Base.metadata.tables[CourtSecret.__tablename__]
_IDENT = re.compile(r"^[a-z_]+$")


class SealKeyMissing(Exception):
    """The database has seals but the key that made them is not beside it."""


def _columns(table_name: str) -> list[str]:
    names = [c.name for c in Base.metadata.tables[table_name].columns]
    return sorted(n for n in names if n not in UNSEALED_COLUMNS)


def _select_sql(conn: Connection, table_name: str) -> str:
    """``SELECT t.id, <the row's canonical form> FROM table t``.

    SQLite builds the form itself (``json_array`` of every column: typed and unambiguous, as
    one BLOB), so checking 1.5 million rows costs one MAC each in Python and nothing more. A
    server returns the columns, which are put in JSON here."""
    if not _IDENT.match(table_name):
        raise ValueError(f"not a table of ours: {table_name!r}")
    columns = _columns(table_name)
    if conn.dialect.name == "sqlite":
        listed = ", ".join(f"t.{c}" for c in columns)
        return f"SELECT t.id, CAST('{table_name}:' || json_array({listed}) AS BLOB) FROM {table_name} t"
    return f"SELECT t.id, {', '.join(f't.{c}' for c in columns)} FROM {table_name} t"


def _body(table_name: str, row: Sequence[Any]) -> bytes:
    """The bytes a row's seal covers, from a row of ``_select_sql``."""
    if len(row) == 2 and isinstance(row[1], bytes):
        return row[1]
    return json.dumps(
        [table_name, *row[1:]], ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


# --- the key -------------------------------------------------------------------------------------


def _derive(secret: bytes, purpose: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) without a salt, 32 bytes long: the extract step and the expand
    step's single block, with the standard library (the cryptography package would load its own
    OpenSSL, 7 MB, into every process that opens a database)."""
    key = hmac.digest(bytes(32), secret, "sha256")
    return hmac.digest(key, purpose + b"\x01", "sha256")


@dataclass(frozen=True)
class SealKey:
    rows: bytes
    anchor: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> SealKey:
        return cls(_derive(secret, b"zhiqian row seal v1"), _derive(secret, b"zhiqian anchor v1"))


def key_path(database: Path) -> Path:
    return attachments_dir(database) / KEY_FILE


def anchor_path(database: Path) -> Path:
    return attachments_dir(database) / ANCHOR_FILE


_file_keys: dict[Path, SealKey] = {}


def _read_file_key(path: Path) -> SealKey | None:
    resolved = path.resolve()
    if resolved in _file_keys:
        return _file_keys[resolved]
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if len(secret) < 32:
        return None
    key = SealKey.from_secret(secret)
    _file_keys[resolved] = key
    return key


def _create_file_key(path: Path) -> SealKey:
    """Write a new secret once; if another process wrote one first, that one stands."""
    write_once(path, (os.urandom(32).hex() + "\n").encode("ascii"))
    key = _read_file_key(path)
    if key is None:
        raise OSError(f"records key {path} could not be written")
    return key


def database_path(conn: Connection) -> Path | None:
    return sqlite_file(conn.engine.url.render_as_string(hide_password=False))


def seal_key(conn: Connection, *, create: bool) -> SealKey | None:
    """The key of the database ``conn`` works on: the file beside a database file, the secret
    of a server (made in ``conn``'s transaction with ``create``)."""
    path = database_path(conn)
    if path is not None:
        key = _read_file_key(key_path(path))
        if key is None and create:
            key = _create_file_key(key_path(path))
        return key
    table = _SECRETS
    value = conn.execute(table.select().where(table.c.name == SECRET_NAME)).first()
    if value is None:
        if not create:
            return None
        secret = os.urandom(32)
        conn.execute(table.insert().values(name=SECRET_NAME, value=secret.hex()))
        return SealKey.from_secret(secret)
    return SealKey.from_secret(bytes.fromhex(value.value))


def ensure_seal_key(conn: Connection) -> SealKey:
    key = seal_key(conn, create=True)
    if key is None:
        raise RuntimeError("the records key was not created")
    return key


# --- sealing -------------------------------------------------------------------------------------


def _mac(key: SealKey, body: bytes) -> str:
    return hmac.digest(key.rows, body, "sha256").hex()


def seal_rows(conn: Connection, key: SealKey, table_name: str, ids: Iterable[str]) -> None:
    """(Re)write the seals of these rows as they are now; a row that is gone loses its seal."""
    seals = _SEALS
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _BATCH):
        chunk = ordered[start : start + _BATCH]
        conn.execute(
            seals.delete().where(seals.c.table_name == table_name, seals.c.row_id.in_(chunk))
        )
        stmt = text(f"{_select_sql(conn, table_name)} WHERE t.id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        rows = [
            {"table_name": table_name, "row_id": row[0], "mac": _mac(key, _body(table_name, row))}
            for row in conn.execute(stmt, {"ids": chunk})
        ]
        if rows:
            conn.execute(seals.insert(), rows)


def reseal_all(conn: Connection, key: SealKey | None = None) -> None:
    """Seal every row of every audited table as it is now (after a migration, a copy to a new
    database, an offline kit opened on a laptop): what the rows hold now is taken as right."""
    conn.execute(_SEALS.delete())
    if key is None:
        anything = any(
            conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None
            for name in SEALED_TABLES
        )
        if not anything:
            return  # a new, empty database: its key is made with its first record
        key = ensure_seal_key(conn)
    for table_name in SEALED_TABLES:
        # Read in pages by id, so a large docket is never held in memory at once.
        after = ""
        while True:
            page = conn.execute(
                text(
                    f"{_select_sql(conn, table_name)} WHERE t.id > :after ORDER BY t.id LIMIT 5000"
                ),
                {"after": after},
            ).all()
            if not page:
                break
            conn.execute(
                _SEALS.insert(),
                [
                    {
                        "table_name": table_name,
                        "row_id": row[0],
                        "mac": _mac(key, _body(table_name, row)),
                    }
                    for row in page
                ],
            )
            after = page[-1][0]
    write_anchor(conn, key)


# --- kept on every write made through a session ----------------------------------------------------


def _note(session: Session, _context: object) -> None:
    """After a flush: remember the audited rows it wrote; they are sealed once, just before
    the transaction commits (an import flushes thousands of times in one transaction, and a
    row written by several flushes is sealed once, as it is at the end)."""
    # A record set to the values it already had is "dirty" but wrote nothing (a read-only
    # session that recomputed a derived column): only rows the flush changed are sealed again.
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    touched: set[tuple[str, str]] = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *changed, *session.deleted):
        table = getattr(obj, "__table__", None)
        if table is not None and table in _TABLES:
            touched.add((table.name, obj.id))
    if touched and session.info.get(_COMMITTING):
        _seal_touched(session)  # a flush made by a later listener of this same commit


def _seal_touched(session: Session) -> None:
    touched: set[tuple[str, str]] = session.info.pop(_TOUCHED, set())
    if not touched:
        return
    key = ensure_seal_key(session.connection())
    by_table: dict[str, list[str]] = {}
    for table_name, rid in touched:
        by_table.setdefault(table_name, []).append(rid)
    for table_name, ids in by_table.items():
        seal_rows(session.connection(), key, table_name, ids)


def _seal_before_commit(session: Session) -> None:
    """Seal what the transaction wrote, in it, before it commits; a flush after this (another
    listener of the same commit writing) seals at once."""
    if session.in_nested_transaction():
        return  # a savepoint: sealed with the whole transaction
    session.flush()
    session.info[_COMMITTING] = True
    _seal_touched(session)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_TOUCHED, None)
        session.info.pop(_COMMITTING, None)


def _appended(session: Session) -> None:
    """After a commit that appended audit events, move the anchor (never backwards)."""
    if not session.info.pop(_PENDING, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name != "sqlite":
        return
    try:
        # A read transaction: the anchor only reads the head, and must not queue for the lock.
        with engine.connect() as plain, plain.execution_options(**{READ_ONLY_OPTION: True}) as conn:
            key = seal_key(conn, create=False)
            if key is not None:
                write_anchor(conn, key)
    except OSError:
        pass  # a second line of defence: a full disk must not undo a saved change


def mark_appended(session: Session) -> None:
    """Called by the audit trail when it appends an event in this session's transaction."""
    session.info[_PENDING] = True


def _forget(session: Session, *_: object) -> None:
    session.info.pop(_PENDING, None)


def keep_sealed(sessions: sessionmaker[Session]) -> None:
    """Seal every audited row written through these sessions, in the same transaction, and
    anchor the audit chain's head after each commit that appended events."""
    if event.contains(sessions, "after_flush", _note):
        return
    event.listen(sessions, "after_flush", _note)
    event.listen(sessions, "before_commit", _seal_before_commit)
    event.listen(sessions, "after_transaction_end", _transaction_ended)
    event.listen(sessions, "after_commit", _appended)
    event.listen(sessions, "after_soft_rollback", _forget)


# --- the anchor ----------------------------------------------------------------------------------


def _anchor_mac(key: SealKey, seq: int, digest: str, also: list[Any] | None = None) -> str:
    body = f"{seq}:{digest}" + (f";{also[0]}:{also[1]}" if also else "")
    return hmac.new(key.anchor, body.encode(), hashlib.sha256).hexdigest()


def _head(conn: Connection) -> tuple[int, str] | None:
    row = conn.execute(text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")).first()
    return (int(row[0]), str(row[1])) if row else None


def read_anchor(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_anchor(conn: Connection, key: SealKey, *, force: bool = False) -> None:
    """Record the chain's newest event beside a database file (nothing for a server); never
    backwards unless ``force`` (a restored backup starts the history it holds)."""
    path = database_path(conn)
    if path is None:
        return
    head = _head(conn)
    if head is None:
        return
    target = anchor_path(path)
    current = {} if force else read_anchor(target) or {}
    if isinstance(current.get("seq"), int) and current["seq"] > head[0]:
        return  # another process anchored a newer head meanwhile
    _write_anchor_file(target, key, head)


def _write_anchor_file(
    target: Path, key: SealKey, head: tuple[int, str], also: tuple[int, str] | None = None
) -> None:
    seq, digest = head
    alternative = list(also) if also else None
    data: dict[str, Any] = {
        "seq": seq,
        "hash": digest,
        "mac": _anchor_mac(key, seq, digest, alternative),
    }
    if alternative:
        data["or"] = alternative
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.urandom(4).hex()}.part")
    try:
        with os.fdopen(open_private(tmp), "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        renames.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def anchor_restoring(database: Path, restored: tuple[int, str] | None) -> None:
    """Before a backup's contents replace ``database``: either head may be found afterwards
    (a restore killed part-way leaves the old database or the restored one)."""
    engine = file_engine(database)
    try:
        with engine.connect() as conn:
            key = seal_key(conn, create=False)
            current = _head(conn)
    finally:
        engine.dispose()
    if key is None or restored is None:
        return
    _write_anchor_file(anchor_path(database), key, restored, current)


def reanchor(database: Path) -> None:
    """After a backup was put in place of ``database``: its newest event is the anchor now."""
    engine = file_engine(database)
    try:
        with engine.begin() as conn:
            key = seal_key(conn, create=False)
            if key is not None:
                write_anchor(conn, key, force=True)
            else:
                anchor_path(database).unlink(missing_ok=True)
    finally:
        engine.dispose()


# --- checking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealProblem:
    table: str
    row_id: str
    problem: str
    """changed (the row differs from its seal), unsealed (a row with no seal: added around the
    app), removed (a seal whose row is gone)"""
    label: str = ""
    """What a clerk knows the row by: a case number, a user name, a tribunal (when it is there)."""


@dataclass(frozen=True)
class SealReport:
    rows: int
    problems: tuple[SealProblem, ...]
    anchor: str | None
    """Why the anchored head does not match the chain, or None."""
    key_missing: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and self.anchor is None and not self.key_missing


MAX_LISTED = 20

TABLE_WORDS = {
    "court_settings": "法院设置",
    "app_user": "用户",
    "tribunal": "法庭",
    "case_number_block": "预留案号段",
    "offline_kit": "离线包",
    "supervision_case": "案件",
    "party": "当事人",
    "contact_log": "督促记录",
    "document": "文书",
    "service": "送达记录",
    "payment": "履行款",
    "settlement": "和解协议",
    "installment": "分期",
    "preservation_application": "保全申请及裁定",
    "preservation": "保全措施",
    "attachment": "附件",
    "mediator": "调解员",
    "mediation": "委托调解",
    "suggestion": "司法建议",
    "suggestion_case": "司法建议所涉案件",
    "outbox_message": "短信",
}
PROBLEM_WORDS = {
    "changed": "内容与封印不符（被改动）",
    "unsealed": "没有封印（绕过本系统添加）",
    "removed": "记录已不存在（被删除）",
}


def _iter_checked(
    conn: Connection, key: SealKey, table_name: str, gone_with_seal: Sequence[str] = ()
) -> Iterator[SealProblem | None]:
    select_sql = _select_sql(conn, table_name)
    sql = (
        select_sql.replace(" FROM ", ", s.mac FROM ", 1)
        + f" LEFT JOIN row_seal s ON s.table_name = '{table_name}' AND s.row_id = t.id"
    )
    digest, rows_key = hmac.digest, key.rows
    result: Iterable[Sequence[Any]]
    if conn.dialect.name == "sqlite":
        # Straight from the driver: 1.5 million rows of a large docket, no row objects.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        result = cursor.execute(sql)
    else:
        result = conn.execution_options(stream_results=True, yield_per=20_000).execute(text(sql))
    for row in result:
        mac = row[-1]
        if mac is None:
            yield SealProblem(table_name, str(row[0]), "unsealed")
        elif digest(rows_key, _body(table_name, row[:-1]), "sha256").hex() != mac:
            yield SealProblem(table_name, str(row[0]), "changed")
        else:
            yield None
    gone = conn.execute(
        text(
            f"SELECT s.row_id FROM row_seal s WHERE s.table_name = '{table_name}'"
            f" AND NOT EXISTS (SELECT 1 FROM {table_name} t WHERE t.id = s.row_id)"
        )
    )
    for (rid,) in gone:
        yield SealProblem(table_name, str(rid), "removed")
    for rid in gone_with_seal:
        yield SealProblem(table_name, rid, "removed")


def _gone_with_seal(conn: Connection) -> dict[str, list[str]]:
    """Per sealed table, the records named by audit events whose row is gone together with its
    seal (one removed row has many events: each is reported once, and not when its seal is still
    there, which ``_iter_checked`` reports).

    One pass over the audit trail for all the tables: first the events whose record has no
    seal (normally none), then which of those records are gone. Asked per table, the same
    question read the whole trail once per table (0.4 s each on a large docket)."""
    if not all(_IDENT.match(n) and _IDENT.match(t) for n, t in AUDITED_AS.items()):
        raise ValueError("not tables of ours")
    audited = ", ".join(f"('{name}', '{table}')" for name, table in AUDITED_AS.items())
    unsealed: dict[str, set[str]] = {}
    for table_name, rid in conn.execute(
        text(
            f"WITH audited(entity, table_name) AS (VALUES {audited})"
            " SELECT DISTINCT n.table_name, a.entity_id FROM audit_event a"
            " JOIN audited n ON n.entity = a.entity"
            " WHERE NOT EXISTS (SELECT 1 FROM row_seal s"
            " WHERE s.table_name = n.table_name AND s.row_id = a.entity_id)"
        )
    ):
        unsealed.setdefault(str(table_name), set()).add(str(rid))
    gone: dict[str, list[str]] = {}
    for table_name, ids in unsealed.items():
        table = Base.metadata.tables[table_name]
        present: set[str] = set()
        listed = sorted(ids)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            present.update(conn.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
        gone[table_name] = [rid for rid in listed if rid not in present]
    return gone


def _check_anchor(conn: Connection, key: SealKey) -> str | None:
    path = database_path(conn)
    if path is None:
        return None
    anchor = read_anchor(anchor_path(path))
    head = _head(conn)
    if anchor is None:
        if head is None:
            return None
        return f"审计链锚点文件“{anchor_path(path)}”缺失（被删除，或数据库旁的文件夹不是原来的）"
    seq, digest, also = anchor.get("seq"), anchor.get("hash"), anchor.get("or")
    if also is not None and not (isinstance(also, list) and len(also) == 2):
        also = []
    if not (isinstance(seq, int) and isinstance(digest, str)) or not hmac.compare_digest(
        str(anchor.get("mac", "")), _anchor_mac(key, seq, digest, also)
    ):
        return f"审计链锚点文件“{anchor_path(path)}”被改动或已损坏"
    if also:
        # Anchored while a backup was being restored: the old head or the restored one stands.
        found = conn.execute(
            text("SELECT hash FROM audit_event WHERE seq = :seq"), {"seq": also[0]}
        ).scalar()
        if found == also[1]:
            return None
    stored = conn.execute(
        text("SELECT hash FROM audit_event WHERE seq = :seq"), {"seq": seq}
    ).scalar()
    if stored is None:
        newest = head[0] if head else 0
        return (
            f"最新的审计记录被删除：锚点记录到第 {seq} 号，数据库中只到第 {newest} 号"
            if newest < seq
            else f"第 {seq} 号审计记录被删除"
        )
    if stored != digest:
        return f"第 {seq} 号审计记录与锚点不符（审计记录被改写）"
    return None


def check_seals(conn: Connection, progress: Callable[[int], None] | None = None) -> SealReport:
    """Every sealed row against its seal, and the anchored head against the chain."""
    key = seal_key(conn, create=False)
    if key is None:
        has_seals = conn.execute(text("SELECT 1 FROM row_seal LIMIT 1")).first() is not None
        if database_path(conn) is not None and (has_seals or _head(conn) is not None):
            return SealReport(0, (), None, key_missing=True)
        return SealReport(0, (), None)
    rows = 0
    problems: list[SealProblem] = []
    gone_with_seal = _gone_with_seal(conn)
    for table_name in SEALED_TABLES:
        for found in _iter_checked(conn, key, table_name, gone_with_seal.get(table_name, ())):
            rows += 1
            if found is not None and len(problems) < MAX_LISTED:
                problems.append(replace(found, label=_label(conn, found)))
            if progress is not None and rows % 100_000 == 0:
                progress(rows)
    return SealReport(rows, tuple(problems), _check_anchor(conn, key))


_LABELS = {"supervision_case": "case_no", "app_user": "username", "tribunal": "name"}


def _label(conn: Connection, problem: SealProblem) -> str:
    """The row's name as the app shows it, read as it is now (nothing for a removed row)."""
    table = Base.metadata.tables[problem.table]
    column = _LABELS.get(problem.table)
    if column is not None:
        value = conn.execute(select(table.c[column]).where(table.c.id == problem.row_id)).scalar()
        return str(value) if value is not None else ""
    if "case_id" in table.c:
        cases = Base.metadata.tables["supervision_case"]
        number = conn.execute(
            select(cases.c.case_no)
            .join(table, table.c.case_id == cases.c.id)
            .where(table.c.id == problem.row_id)
        ).scalar()
        return f"{number}的记录 {problem.row_id}" if number is not None else ""
    return ""
