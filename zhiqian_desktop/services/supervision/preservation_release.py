"""What a 解除保全裁定书 and its 协助执行通知书 state, from a measure's recorded release: the
preservation ruling it releases, the release's reason and day, and every measure of that ruling
released with it (the same day, the same reason: one release, one ruling). The rules are in
domain/preservation_release.py; the documents are issued through services/supervision/notices.py.
"""

from __future__ import annotations

import json
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound, UserError
from zhiqian_desktop.domain.kinds import DocumentKind, PreservationMeasure, ReleaseReason
from zhiqian_desktop.domain.preservation import latest_expiry, release_deadline
from zhiqian_desktop.domain.preservation_release import (
    release_notice_refusal,
    release_ruling_number,
    release_ruling_refusal,
)
from zhiqian_desktop.printing.preservation_text import MeasureFacts, ReleaseFacts
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.store.models import (
    Document,
    Preservation,
    PreservationApplication,
    SupervisionCase,
)

RELEASE_KINDS = frozenset({DocumentKind.RELEASE_RULING, DocumentKind.RELEASE_NOTICE})


def released_with(session: Session, measure: Preservation) -> list[Preservation]:
    """The measures released together with ``measure``: those of its ruling released the same
    day for the same reason, in the ruling's order."""
    return list(
        session.scalars(
            select(Preservation)
            .where(
                Preservation.application_id == measure.application_id,
                Preservation.deleted_at.is_(None),
                Preservation.released_on == measure.released_on,
                Preservation.release_reason == measure.release_reason,
            )
            .order_by(Preservation.frozen_on, Preservation.created_at)
        )
    )


def release_ruling_of(session: Session, measure: Preservation) -> str | None:
    """The number of the release ruling in force (issued, not voided) for the measure's release."""
    if measure.released_on is None:
        return None
    group = {p.id for p in released_with(session, measure)}
    for doc in session.scalars(
        select(Document).where(
            Document.case_id == measure.case_id,
            Document.kind == DocumentKind.RELEASE_RULING,
            Document.voided.is_(False),
            Document.deleted_at.is_(None),
        )
    ):
        if json.loads(doc.data_json or "{}").get("record_id") in group:
            return doc.doc_no
    return None


def _measure(
    session: Session, case: SupervisionCase, kind: DocumentKind, measure_id: str | None
) -> Preservation:
    if not measure_id:
        raise UserError(
            f"{kind.label}须从已解除的保全措施出具；请在案件的“执行前保全”页选择该措施后打印"
            "（命令行：zhiqian preservation release-print）"
        )
    found = session.get(Preservation, measure_id)
    if found is None or found.deleted_at is not None or found.case_id != case.id:
        raise NotFound("所选保全措施不存在或不属于本案；请刷新后重试")
    if found.application_id is None:
        raise UserError("该保全措施不是依本院执行前保全裁定采取的，不能出具解除保全的文书")
    return found


def measure_facts(m: Preservation) -> MeasureFacts:
    """A measure as the documents state it (the longest term the law allows when none was set)."""
    return MeasureFacts(
        m.kind,
        m.measure or PreservationMeasure.FREEZE,
        m.description,
        m.holder or "",
        m.frozen_on,
        m.expires_on or latest_expiry(m.kind, m.frozen_on),
        m.amount,
        m.released_on,
    )


def release_facts(
    session: Session, case: SupervisionCase, kind: DocumentKind, measure_id: str | None
) -> tuple[PreservationApplication, MeasureFacts, ReleaseFacts]:
    """The preservation ruling, the measure and the release a release document states; a
    refusal (domain/preservation_release.py) when the release supports no such document."""
    measure = _measure(session, case, kind, measure_id)
    a = session.get(PreservationApplication, measure.application_id)
    if a is None or a.deleted_at is not None:
        raise NotFound("该保全措施所依据的保全裁定不存在；请刷新后重试")
    group = released_with(session, measure) if measure.released_on else [measure]
    issued = release_ruling_of(session, measure)
    if kind is DocumentKind.RELEASE_RULING:
        deadline = release_deadline(
            case.performance_deadline, case.effective_date or a.applied_on, load_calendar(session)
        )
        refusal = release_ruling_refusal(
            ruling_no=a.ruling_no,
            released_on=measure.released_on,
            reason=measure.release_reason,
            issued=issued,
            deadline=deadline.end,
            application_received_on=case.application_received_on,
            taken_on=min(p.frozen_on for p in group),
        )
        taken = session.scalars(select(Document.doc_no).where(Document.case_id == case.id))
        rulings = session.scalars(
            select(PreservationApplication.ruling_no).where(
                PreservationApplication.case_id == case.id
            )
        )
        number = release_ruling_number(case.case_no, [*taken, *(r for r in rulings if r)])
    else:
        refusal = release_notice_refusal(
            released_on=measure.released_on, ruling=issued, holder=measure.holder
        )
        number = issued or ""
    if refusal is not None:
        raise UserError(refusal)
    release = ReleaseFacts(
        number,
        cast(date, measure.released_on),
        cast(ReleaseReason, measure.release_reason),
        a.judge or "",
        tuple(measure_facts(p) for p in group),
    )
    return a, measure_facts(measure), release
