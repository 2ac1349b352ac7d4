"""Allocation of the team's case numbers: per year, unique, never reused, safe under concurrency."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import format_case_number, next_sequence
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.models import (
    CaseNumberBlock,
    CaseNumberCounter,
    CourtSettings,
    OfflineKit,
)


def allocate(session: Session, settings: CourtSettings, year: int) -> tuple[str, int]:
    """Take the next number of `year` inside the caller's write transaction.

    On SQLite the transaction began with BEGIN IMMEDIATE, so no other writer runs meanwhile; on
    PostgreSQL writers queue on an advisory lock (store.database) and, should a session ever skip
    it, the counter row is created with INSERT ... ON CONFLICT DO NOTHING (two desks taking the
    first number of a year cannot both insert it) and locked with SELECT ... FOR UPDATE. The
    counter only grows, so a number is never issued twice even if its case is later deleted.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            pg_insert(CaseNumberCounter)
            .values(year=year, last_seq=0)
            .on_conflict_do_nothing(index_elements=[CaseNumberCounter.year])
        )
    counter = session.get(CaseNumberCounter, year, with_for_update=True, populate_existing=True)
    if counter is None:
        counter = CaseNumberCounter(year=year, last_seq=0)
        session.add(counter)
    # A tribunal's laptop working from an offline kit (services/sync.py) may only issue numbers
    # from the block the court reserved for it; the court skips that block (below), so the two
    # never collide. The kit's one `offline_kit` row with role "laptop" is the marker.
    kit = session.scalars(select(OfflineKit).where(OfflineKit.role == "laptop").limit(1)).first()
    if kit is not None:
        seq = _next_in_kit_block(session, kit, counter, year)
        counter.last_seq = seq
        session.flush()
        return format_case_number(year, settings.court_code, settings.case_word, seq), seq
    blocks = session.execute(
        select(CaseNumberBlock.first_seq, CaseNumberBlock.last_seq).where(
            CaseNumberBlock.year == year, CaseNumberBlock.deleted_at.is_(None)
        )
    ).all()
    seq = next_sequence(counter.last_seq or None, [(a, b) for a, b in blocks])
    counter.last_seq = seq
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
