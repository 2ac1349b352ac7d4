"""Allocation of the team's case numbers: per year, unique, never reused, safe under concurrency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import format_case_number, next_sequence
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.models import (
    CaseNumberBlock,
    CaseNumberCounter,
    CourtSettings,
    OfflineKit,
)

_CACHE_KEY = "zhiqian.case_numbers"
_WATCHED = (CaseNumberBlock, CaseNumberCounter, OfflineKit)


@dataclass
class _Allocation:
    """What one write transaction learnt about numbering: the offline-kit marker, and per year
    the counter row (locked by this transaction) and the court's reserved blocks."""

    kit: OfflineKit | None
    counters: dict[int, CaseNumberCounter] = field(default_factory=dict)
    blocks: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def _forget(session: Session, *_: object) -> None:
    session.info.pop(_CACHE_KEY, None)


def _forget_on_change(session: Session, *_: Any) -> None:
    # A block, kit or counter added, changed or removed by other code in this transaction
    # (services/exchange/kits.py) makes the remembered state stale: read it again next time.
    if _CACHE_KEY not in session.info:
        return
    cache = session.info[_CACHE_KEY]
    counters = set(map(id, cache.counters.values()))
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED) and id(obj) not in counters:
            _forget(session)
            return
    for obj in session.deleted:
        if isinstance(obj, CaseNumberCounter):
            _forget(session)
            return


def _allocation(session: Session) -> _Allocation:
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, _Allocation):
        return cached
    # The memory lasts one transaction: once it ends, another writer may take numbers or blocks.
    for name, listener in (
        ("after_soft_rollback", _forget),
        ("after_commit", _forget),
        ("before_flush", _forget_on_change),
    ):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)
    # A tribunal's laptop working from an offline kit (services/exchange/kits.py) may only issue numbers
    # from the block the court reserved for it; the court skips that block (below), so the two
    # never collide. The kit's one `offline_kit` row with role "laptop" is the marker.
    kit = session.scalars(select(OfflineKit).where(OfflineKit.role == "laptop").limit(1)).first()
    allocation = _Allocation(kit)
    session.info[_CACHE_KEY] = allocation
    return allocation


def _locked_counter(session: Session, allocation: _Allocation, year: int) -> CaseNumberCounter:
    counter = allocation.counters.get(year)
    if counter is not None and counter in session:
        # Locked earlier in this transaction: PostgreSQL keeps the row lock until the
        # transaction ends (SQLite's BEGIN IMMEDIATE keeps out every other writer), so no other
        # desk has moved it and the object in the session holds the current value.
        return counter
    if session.get_bind().dialect.name == "postgresql":
        # Loaded here: the PostgreSQL dialect is only there when the server is.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(
            pg_insert(CaseNumberCounter)
            .values(year=year, last_seq=0)
            .on_conflict_do_nothing(index_elements=[CaseNumberCounter.year])
        )
    counter = session.get(CaseNumberCounter, year, with_for_update=True, populate_existing=True)
    if counter is None:
        counter = CaseNumberCounter(year=year, last_seq=0)
        session.add(counter)
    allocation.counters[year] = counter
    return counter


def allocate(
    session: Session, settings: CourtSettings, year: int, *, flush: bool = True
) -> tuple[str, int]:
    """Take the next number of `year` inside the caller's write transaction.

    On SQLite the transaction began with BEGIN IMMEDIATE, so no other writer runs meanwhile; on
    PostgreSQL writers queue on an advisory lock (store.database) and, should a session ever skip
    it, the counter row is created with INSERT ... ON CONFLICT DO NOTHING (two desks taking the
    first number of a year cannot both insert it) and locked with SELECT ... FOR UPDATE. The
    counter only grows, so a number is never issued twice even if its case is later deleted.

    The locked counter, the reserved blocks and the offline-kit marker are remembered for the
    rest of the transaction (an import takes thousands of numbers in one). `flush=False` leaves
    the counter's new value for the caller's next flush (the caller must flush before the
    transaction ends or anything expires the session's objects).
    """
    allocation = _allocation(session)
    counter = _locked_counter(session, allocation, year)
    if allocation.kit is not None:
        seq = _next_in_kit_block(session, allocation.kit, counter, year)
    else:
        blocks = allocation.blocks.get(year)
        if blocks is None:
            rows = session.execute(
                select(CaseNumberBlock.first_seq, CaseNumberBlock.last_seq).where(
                    CaseNumberBlock.year == year, CaseNumberBlock.deleted_at.is_(None)
                )
            ).all()
            blocks = allocation.blocks[year] = [(a, b) for a, b in rows]
        seq = next_sequence(counter.last_seq or None, blocks)
    counter.last_seq = seq
    if flush:
        session.flush()
    return format_case_number(year, settings.court_code, settings.case_word, seq), seq


def _next_in_kit_block(
    session: Session, kit: OfflineKit, counter: CaseNumberCounter, year: int
) -> int:
    block = session.get(CaseNumberBlock, kit.block_id) if kit.block_id else None
    if block is None or block.year != year:
        reserved = f"{block.year}年" if block is not None else ""
        raise UserError(
            f"本机使用的是离线工作包，只预留了{reserved}的案号，不能登记{year}年的案件；"
            "请回院登记，或请法院导出含该年度案号段的离线包"
        )
    seq = max(counter.last_seq or 0, block.first_seq - 1) + 1
    if seq > block.last_seq:
        raise UserError(
            f"离线包预留的{year}年案号（第{block.first_seq}号至第{block.last_seq}号）已用完；"
            "请把本机的变更包带回法院导入，再导出新的离线包"
        )
    return seq
