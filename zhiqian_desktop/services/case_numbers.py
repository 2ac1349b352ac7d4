"""Allocation of the team's case numbers: per year, unique, never reused, safe under concurrency."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.case_numbers import format_case_number, next_sequence
from zhiqian_desktop.store.models import CaseNumberBlock, CaseNumberCounter, CourtSettings


def allocate(session: Session, settings: CourtSettings, year: int) -> tuple[str, int]:
    """Take the next number of `year` inside the caller's write transaction.

    On SQLite the transaction began with BEGIN IMMEDIATE, so no other writer runs meanwhile; on
    PostgreSQL the counter row is locked with SELECT ... FOR UPDATE. The counter only grows, so a
    number is never issued twice even if its case is later deleted.
    """
    counter = session.get(CaseNumberCounter, year, with_for_update=True)
    if counter is None:
        counter = CaseNumberCounter(year=year, last_seq=0)
        session.add(counter)
    blocks = session.execute(
        select(CaseNumberBlock.first_seq, CaseNumberBlock.last_seq).where(
            CaseNumberBlock.year == year, CaseNumberBlock.deleted_at.is_(None)
        )
    ).all()
    seq = next_sequence(counter.last_seq or None, [(a, b) for a, b in blocks])
    counter.last_seq = seq
    session.flush()
    return format_case_number(year, settings.court_code, settings.case_word, seq), seq
