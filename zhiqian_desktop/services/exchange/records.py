"""What travels between the court and a tribunal: the package names and limits, the merged tables,
and their rows as JSON values (encoded, and decoded back by the column types, refusing anything
malformed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.intake.docket import refresh_derived
from zhiqian_desktop.store.models import (
    Base,
    KitRecordState,
    SupervisionCase,
)
from zhiqian_desktop.store.types import AwareDateTime, CodeEnum, Money

ProgressFn = Callable[[int, int, str], None]

KIT_SCHEMA = "zhiqian.kit/2"
CHANGES_SCHEMA = "zhiqian.changes/2"
OLD_SCHEMAS = frozenset({"zhiqian.kit/1", "zhiqian.changes/1"})
"""Kits and change packages of an earlier version: the kit carried the court's own key, so
anyone holding one could sign changes as the court. Refused, with the way out."""
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
"""Ed25519 over manifest.json: a kit's by the court's signing key, a change package's by the
kit's own key (services/core/signing.py)."""
KIT_DB = "kit.db"
KIT_KEY = "kit.key"
"""The kit's own private key (PEM): in the kit, then beside the laptop's database (0600)."""
CHANGES = "changes.json"

MAX_KIT_BYTES = 16 * 1024**3
"""An offline kit (it carries the tribunal's attachments) larger than this is refused."""
MAX_JSON_BYTES = 512 * 1024**2
MAX_BLOCK = 10_000

MERGED_TABLES = (
    "supervision_case",
    "party",
    "document",
    "service",
    "contact_log",
    "payment",
    "settlement",
    "installment",
    "preservation_application",
    "preservation",
    "mediation",
    "attachment",
)
"""What comes back from a laptop, in foreign-key order. Users, settings, tribunals, mediators,
the holiday table and the number blocks belong to the court: the laptop's copies are never merged
back."""

APPEND_ONLY = frozenset({"contact_log", "payment"})
NOT_COMPARED = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "updated_by",
        "version",
        # Kept by the services from the case's records; recomputed after a merge.
        "amount_paid",
        "next_due_date",
        "obligor_names",
        "search_text",
    }
)
COURT = "court"
TRIBUNAL = "tribunal"

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
FILE_MEMBER = re.compile(r"^files/([0-9a-f]{2})/([0-9a-f]{64})$")
MODELS: dict[str, Any] = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}


def report_progress(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


# --- values in JSON ------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot encode {type(value).__name__}")


class InvalidValue(Exception):
    pass


def decode_value(column: Column[Any], value: Any) -> Any:
    """A JSON value back into the column's Python type; anything malformed is refused."""
    if value is None:
        return None
    kind = column.type
    try:
        if isinstance(kind, Money):
            return Decimal(str(value)).quantize(Decimal("0.01"))
        if isinstance(kind, AwareDateTime):
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise InvalidValue
            return moment
        if isinstance(kind, Date):
            return date.fromisoformat(str(value))
        if isinstance(kind, CodeEnum):
            return kind.enum_cls(value)
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise InvalidValue
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidValue
            return value
        if isinstance(kind, String):  # Text is a String too
            if not isinstance(value, str):
                raise InvalidValue
            if kind.length is not None and len(value) > kind.length:
                raise InvalidValue
            return value
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise InvalidValue from exc
    raise InvalidValue


def columns_of(table_name: str) -> dict[str, Column[Any]]:
    return {c.name: c for c in Base.metadata.tables[table_name].columns}


def compared_columns(table_name: str) -> list[str]:
    return [name for name in columns_of(table_name) if name not in NOT_COMPARED]


def encode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: encode_value(v) for k, v in row.items()}


def record_values(record: Any) -> dict[str, Any]:
    return {name: encode_value(getattr(record, name)) for name in columns_of(record.__tablename__)}


def read_rows(conn: Connection, table_name: str) -> dict[str, dict[str, Any]]:
    """Every row of a merged table (soft-deleted ones too), decoded by the column types."""
    table = Base.metadata.tables[table_name]
    present = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table_name})")}
    cols = [c for c in table.columns if c.name in present]
    return {row["id"]: dict(row) for row in conn.execute(select(*cols)).mappings()}


def record_state(session: Session, kit_id: str, entity: str, rid: str) -> KitRecordState | None:
    return session.get(KitRecordState, (kit_id, entity, rid))


def save_state(
    session: Session,
    kit_id: str,
    entity: str,
    rid: str,
    version: int,
    tribunal: Mapping[str, Any],
    court: Mapping[str, Any],
) -> None:
    row = record_state(session, kit_id, entity, rid)
    if row is None:
        row = KitRecordState(kit_id=kit_id, entity=entity, record_id=rid)
        session.add(row)
    row.tribunal_version = version
    row.tribunal_json = json.dumps(dict(tribunal), ensure_ascii=False, sort_keys=True)
    row.court_json = json.dumps(dict(court), ensure_ascii=False, sort_keys=True)


def refresh_cases(session: Session, case_ids: Iterable[str]) -> None:
    ids = sorted(set(case_ids))
    if not ids:
        return
    session.flush()
    session.expire_all()  # relationships loaded before rows were added under them
    limit = get_settings(session).supervision_limit_days
    for cid in ids:
        case = session.get(SupervisionCase, cid)
        if case is not None:
            with session.no_autoflush:
                refresh_derived(session, case, limit_days=limit)
    session.flush()
