"""执行前保全: the applicant's application, the ruling on it (numbered after the case, 之一, 之二 …),
the measures taken under it (查封, 扣押, 冻结, each with its holder and term) and their release.
The rules are in domain/preservation.py; every write is audited. The ruling and the 协助执行通知书
are printed through the notices (services/supervision/notices.py) from ``preservation_facts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound, UserError, check_version
from zhiqian_desktop.domain.kinds import (
    DocumentKind,
    PartyRole,
    PreservationKind,
    PreservationMeasure,
    ReleaseReason,
)
from zhiqian_desktop.domain.preservation import (
    check_application,
    check_measure,
    check_release,
    check_ruling,
    latest_expiry,
    measure_status,
    next_ruling_seq,
    release_deadline,
    ruling_number,
)
from zhiqian_desktop.domain.preservation_release import ruling_seq_of
from zhiqian_desktop.domain.stats import Period
from zhiqian_desktop.domain.text import HIDDEN_CHARS
from zhiqian_desktop.domain.workflow import OPEN_STATUSES, CaseStatus
from zhiqian_desktop.printing.preservation_text import (
    MeasureFacts,
    PreservationFacts,
    ReleaseFacts,
)
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import find_case, get_case
from zhiqian_desktop.services.supervision.preservation_release import (
    RELEASE_KINDS,
    measure_facts,
    release_facts,
)
from zhiqian_desktop.store.models import (
    Document,
    Party,
    Preservation,
    PreservationApplication,
    SupervisionCase,
)


@dataclass(frozen=True)
class MeasureRow:
    id: str
    version: int
    seq: int
    """Its place among the ruling's measures (1, 2 …), as the command line names it."""
    kind: PreservationKind
    measure: PreservationMeasure | None
    description: str
    holder: str
    taken_on: date
    expires_on: date | None
    amount: Decimal | None
    released_on: date | None
    release_reason: ReleaseReason | None
    release_note: str

    @property
    def state(self) -> str:
        return measure_status(self.released_on, self.release_reason)


@dataclass(frozen=True)
class ApplicationRow:
    id: str
    case_id: str
    version: int
    applicant: str
    applied_on: date
    amount: Decimal
    clues: str
    reason: str
    ruling_no: str | None
    ruled_on: date | None
    ruled_amount: Decimal | None
    judge: str
    measures: tuple[MeasureRow, ...]

    @property
    def ruled(self) -> bool:
        return self.ruling_no is not None

    @property
    def live_measures(self) -> tuple[MeasureRow, ...]:
        return tuple(m for m in self.measures if m.released_on is None)

    @property
    def preserved(self) -> Decimal:
        return sum((m.amount or Decimal("0.00") for m in self.measures), Decimal("0.00"))

    @property
    def state(self) -> str:
        if not self.ruled:
            return "待裁定"
        if not self.measures:
            return "已裁定，未采取措施"
        if not self.live_measures:
            return "已全部解除"
        return f"保全中（{len(self.live_measures)}项措施）"


def _text(value: str | None, what: str, limit: int) -> str:
    value = (value or "").strip()
    if HIDDEN_CHARS.search(value) or len(value) > limit:
        raise UserError(f"{what}含有控制字符或过长（不超过{limit}字）；请重新输入")
    return value


def _measures(session: Session, application_id: str) -> list[Preservation]:
    return list(
        session.scalars(
            select(Preservation)
            .where(Preservation.application_id == application_id, Preservation.deleted_at.is_(None))
            .order_by(Preservation.frozen_on, Preservation.created_at)
        )
    )


def _measure_row(seq: int, p: Preservation) -> MeasureRow:
    return MeasureRow(
        p.id,
        p.version,
        seq,
        p.kind,
        p.measure,
        p.description,
        p.holder or "",
        p.frozen_on,
        p.expires_on,
        p.amount,
        p.released_on,
        p.release_reason,
        p.release_note or "",
    )


def _row(session: Session, a: PreservationApplication) -> ApplicationRow:
    applicant = session.get(Party, a.applicant_id)
    return ApplicationRow(
        id=a.id,
        case_id=a.case_id,
        version=a.version,
        applicant=applicant.name if applicant else "",
        applied_on=a.applied_on,
        amount=a.amount,
        clues=a.clues,
        reason=a.reason,
        ruling_no=a.ruling_no,
        ruled_on=a.ruled_on,
        ruled_amount=a.ruled_amount,
        judge=a.judge or "",
        measures=tuple(_measure_row(i, p) for i, p in enumerate(_measures(session, a.id), start=1)),
    )


def _applications(session: Session, case_id: str) -> list[PreservationApplication]:
    return list(
        session.scalars(
            select(PreservationApplication)
            .where(
                PreservationApplication.case_id == case_id,
                PreservationApplication.deleted_at.is_(None),
            )
            .order_by(PreservationApplication.applied_on, PreservationApplication.created_at)
        )
    )


@reads
def case_preservations(session: Session, case_id: str) -> list[ApplicationRow]:
    """The case's pre-enforcement applications with their rulings and measures, oldest first."""
    return [_row(session, a) for a in _applications(session, case_id)]


def _application(session: Session, application_id: str) -> PreservationApplication:
    found = session.get(PreservationApplication, application_id)
    if found is None or found.deleted_at is not None:
        raise NotFound("该保全申请不存在；请刷新后重试")
    return found


def _applicant(session: Session, case: SupervisionCase, applicant_id: str | None) -> Party:
    applicants = [p for p in case.parties if p.role is PartyRole.APPLICANT]
    if applicant_id is None and len(applicants) == 1:
        return applicants[0]
    for p in applicants:
        if p.id == applicant_id or p.name == applicant_id:
            return p
    names = "、".join(p.name for p in applicants) or "无"
    raise UserError(f"保全申请人须为本案的申请人（{names}）；请选择申请保全的申请人")


@writes
def apply_preservation(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    applicant_id: str | None,
    applied_on: date,
    amount: Decimal,
    clues: str,
    reason: str,
    today: date,
) -> ApplicationRow:
    """Record an applicant's application for preservation before enforcement."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    applicant = _applicant(session, case, applicant_id)
    clues, reason = check_application(
        case_no=case.case_no,
        status=case.status,
        effective_date=case.effective_date,
        applied_on=applied_on,
        today=today,
        amount=amount,
        outstanding=max(case.amount_due - case.amount_paid, Decimal("0.00")),
        clues=_text(clues, "财产线索", 2000),
        reason=_text(reason, "申请理由", 2000),
    )
    application = PreservationApplication(
        case_id=case.id,
        applicant_id=applicant.id,
        applied_on=applied_on,
        amount=amount,
        clues=clues,
        reason=reason,
        updated_by=actor.username,
    )
    audit.add_record(
        session, actor, "create", "preservation_application", application, case_id=case.id
    )
    return _row(session, application)


def _pending(session: Session, case_id: str) -> PreservationApplication | None:
    for a in _applications(session, case_id):
        if a.ruling_no is None:
            return a
    return None


@writes
def rule_preservation(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    ruled_on: date,
    amount: Decimal | None,
    judge: str,
    today: date,
    expected_version: int | None = None,
) -> ApplicationRow:
    """Record the ruling on the case's pending application (the team lead's: a ruling is the
    judge's); it takes the case's next ruling number, never one given before."""
    case = get_case(session, case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    actor.require_lead()
    application = _pending(session, case.id)
    if application is not None and expected_version is not None:
        check_version(application.version, expected_version, f"案件{case.case_no}的保全申请")
    deadline = release_deadline(
        case.performance_deadline,
        case.effective_date or (application.applied_on if application else ruled_on),
        load_calendar(session),
    )
    applied_amount = application.amount if application else Decimal("0.00")
    judge = check_ruling(
        case_no=case.case_no,
        status=case.status,
        pending=application is not None,
        applied_on=application.applied_on if application else ruled_on,
        applied_amount=applied_amount,
        ruled_on=ruled_on,
        today=today,
        amount=applied_amount if amount is None else amount,
        judge=_text(judge, "审判员姓名", 50),
        deadline=deadline.end,
        application_received_on=case.application_received_on,
    )
    application = cast(PreservationApplication, application)
    taken = session.scalars(
        select(PreservationApplication.ruling_seq).where(
            PreservationApplication.case_id == case.id,
            PreservationApplication.ruling_seq.is_not(None),
        )
    )
    # A release ruling (之N of the same case) is a document only: its number is taken too.
    released = session.scalars(select(Document.doc_no).where(Document.case_id == case.id))
    taken_seqs = [
        *(s for s in taken if s is not None),
        *(ruling_seq_of(case.case_no, n) for n in released),
    ]
    before = audit.snapshot(application)
    seq = next_ruling_seq(s for s in taken_seqs if s is not None)
    application.ruling_seq = seq
    application.ruling_no = ruling_number(case.case_no, seq)
    application.ruled_on = ruled_on
    application.ruled_amount = applied_amount if amount is None else amount
    application.judge = judge
    application.updated_by = actor.username
    session.flush()
    audit.record_event(
        session,
        actor,
        "update",
        "preservation_application",
        application.id,
        case_id=case.id,
        before=before,
        after=audit.snapshot(application),
    )
    return _row(session, application)


@writes
def add_measure(
    session: Session,
    actor: Actor,
    application_id: str,
    *,
    kind: PreservationKind,
    measure: PreservationMeasure,
    description: str,
    holder: str,
    taken_on: date,
    expires_on: date | None = None,
    amount: Decimal | None = None,
    today: date,
) -> ApplicationRow:
    """A measure taken under the ruling: the property, who holds it, from when and until when
    (by default the longest term the law allows for the kind of property)."""
    application = _application(session, application_id)
    case = get_case(session, application.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if case.status not in OPEN_STATUSES:
        raise UserError(f"案件{case.case_no}状态为“{case.status.label}”，不能再采取执行前保全措施")
    kind = cast(PreservationKind, PreservationKind.from_label(str(kind)))
    measure = cast(PreservationMeasure, PreservationMeasure.from_label(str(measure)))
    existing = _measures(session, application.id)
    description = check_measure(
        ruled_on=application.ruled_on,
        released=bool(existing) and all(p.released_on is not None for p in existing),
        kind=kind,
        measure=measure,
        taken_on=taken_on,
        today=today,
        expires_on=expires_on or latest_expiry(kind, taken_on),
        amount=amount,
        preserved=sum((p.amount or Decimal("0.00") for p in existing), Decimal("0.00")),
        ruled_amount=application.ruled_amount or Decimal("0.00"),
        description=_text(description, "被保全的财产", 2000),
    )
    holder = _text(holder, "协助执行单位", 200)
    if not holder:
        raise UserError(
            "请填写协助执行单位（开户银行、不动产登记机构、车辆管理所等）", field="holder"
        )
    record = Preservation(
        case_id=case.id,
        application_id=application.id,
        kind=kind,
        measure=measure,
        description=description,
        holder=holder,
        frozen_on=taken_on,
        expires_on=expires_on or latest_expiry(kind, taken_on),
        amount=amount,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "preservation", record, case_id=case.id)
    return _row(session, application)


@writes
def release_measures(
    session: Session,
    actor: Actor,
    application_id: str,
    *,
    measure_ids: tuple[str, ...] = (),
    released_on: date,
    reason: ReleaseReason,
    note: str = "",
    today: date,
) -> ApplicationRow:
    """Release the named measures of a ruling (none named: every one still in force), each
    audited; a measure already released is refused, and then none is released."""
    application = _application(session, application_id)
    case = get_case(session, application.case_id)
    actor.require_case_edit(case.handler_id, case.case_no)
    if case.status is CaseStatus.ARCHIVED:
        raise UserError(f"案件{case.case_no}已归档，不能再登记解除保全；如确需登记请先重新开启")
    reason = cast(ReleaseReason, ReleaseReason.from_label(str(reason)))
    measures = _measures(session, application.id)
    if measure_ids:
        chosen = [p for p in measures if p.id in measure_ids]
        if len(chosen) != len(set(measure_ids)):
            raise NotFound("所选保全措施不属于该裁定或已被删除；请刷新后重试")
    else:
        chosen = [p for p in measures if p.released_on is None]
        if not chosen:
            raise UserError(
                f"{application.ruling_no or '该申请'}没有尚未解除的保全措施，不能重复解除"
            )
    for p in chosen:
        text = check_release(
            released_on=p.released_on,
            taken_on=p.frozen_on,
            release_on=released_on,
            today=today,
            reason=reason,
            note=_text(note, "解除说明", 2000),
        )
        before = audit.snapshot(p)
        p.released_on = released_on
        p.release_reason = reason
        p.release_note = text or None
        p.updated_by = actor.username
        session.flush()
        audit.record_event(
            session,
            actor,
            "update",
            "preservation",
            p.id,
            case_id=case.id,
            before=before,
            after=audit.snapshot(p),
        )
    return _row(session, application)


# --- what the printed documents say -------------------------------------------------------------


def preservation_facts(
    session: Session, case: SupervisionCase, kind: DocumentKind, record_id: str | None
) -> PreservationFacts | None:
    """The ruling a 财产保全裁定书 prints (``record_id``: the application), the ruling and the
    measure a 协助执行通知书 asks its holder to carry out (``record_id``: the measure), or the
    release a 解除保全裁定书 and its notice state (``record_id``: a released measure)."""
    if kind in RELEASE_KINDS:
        a, lifted, release = release_facts(session, case, kind, record_id)
        return _ruling_facts(session, case, a, lifted, release)
    if kind not in (DocumentKind.PRESERVATION_RULING, DocumentKind.ASSISTANCE_NOTICE):
        return None
    if not record_id:
        raise UserError(
            f"{kind.label}须从所依据的保全裁定或保全措施出具；请在案件的“执行前保全”页选择后打印"
            "（命令行：zhiqian preservation print）"
        )
    measure: Preservation | None = None
    if kind is DocumentKind.ASSISTANCE_NOTICE:
        measure = session.get(Preservation, record_id)
        if measure is None or measure.deleted_at is not None or measure.case_id != case.id:
            raise NotFound("所选保全措施不存在或不属于本案；请刷新后重试")
        if measure.application_id is None:
            raise UserError("该保全措施不是依本院执行前保全裁定采取的，不能出具协助执行通知书")
        record_id = measure.application_id
    a = _application(session, record_id)
    if a.case_id != case.id:
        raise NotFound("所选保全裁定不属于本案；请刷新后重试")
    return _ruling_facts(
        session,
        case,
        a,
        measure_facts(measure) if measure is not None else None,
    )


def _ruling_facts(
    session: Session,
    case: SupervisionCase,
    a: PreservationApplication,
    measure: MeasureFacts | None,
    release: ReleaseFacts | None = None,
) -> PreservationFacts | None:
    if a.ruling_no is None or a.ruled_on is None:
        return None
    applicant = session.get(Party, a.applicant_id)
    deadline = release_deadline(
        case.performance_deadline, case.effective_date or a.applied_on, load_calendar(session)
    )
    return PreservationFacts(
        ruling_no=a.ruling_no,
        applicant=applicant.name if applicant else "",
        applied_on=a.applied_on,
        amount=a.ruled_amount or a.amount,
        reason=a.reason,
        ruled_on=a.ruled_on,
        judge=a.judge or "",
        release_deadline=deadline.end,
        enforcement_applied_on=case.application_received_on,
        measure=measure,
        release=release,
    )


# --- the figures of a period (the weekly and monthly report) ------------------------------------


@dataclass(frozen=True)
class PreservationTally:
    """Pre-enforcement preservation in a period: rulings made and the amount they preserve,
    measures taken under them and measures released."""

    rulings: int
    amount: Decimal
    measures: int
    released: int


@reads
def preservation_tally(session: Session, period: Period) -> PreservationTally:
    def within(column: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return column >= period.start, column <= period.end

    live_case = SupervisionCase.deleted_at.is_(None)
    rulings, amount = session.execute(
        select(func.count(), func.coalesce(func.sum(PreservationApplication.ruled_amount), 0))
        .join(SupervisionCase, SupervisionCase.id == PreservationApplication.case_id)
        .where(PreservationApplication.deleted_at.is_(None), live_case)
        .where(*within(PreservationApplication.ruled_on))
    ).one()
    ruled = (
        select(Preservation.id)
        .join(SupervisionCase, SupervisionCase.id == Preservation.case_id)
        .where(
            Preservation.deleted_at.is_(None),
            Preservation.application_id.is_not(None),
            live_case,
        )
    )
    measures = session.scalar(
        select(func.count()).select_from(ruled.where(*within(Preservation.frozen_on)).subquery())
    )
    released = session.scalar(
        select(func.count()).select_from(ruled.where(*within(Preservation.released_on)).subquery())
    )
    return PreservationTally(
        # The sum comes back through the column's type: yuan, not fen.
        int(rulings),
        Decimal(amount).quantize(Decimal("0.01")),
        int(measures or 0),
        int(released or 0),
    )


# --- the command line names rulings by their numbers --------------------------------------------


@reads
def find_ruling(session: Session, ruling_no: str) -> ApplicationRow:
    """The application whose ruling has this number (half- or full-width parentheses)."""
    wanted = ruling_no.strip().replace("(", "（").replace(")", "）")
    found = session.scalars(
        select(PreservationApplication).where(
            PreservationApplication.ruling_no == wanted,
            PreservationApplication.deleted_at.is_(None),
        )
    ).first()
    if found is None:
        raise NotFound(
            f"没有案号为“{wanted}”的保全裁定；请核对（zhiqian preservation list 案号 可查）"
        )
    return _row(session, found)


@reads
def case_id_of(session: Session, case_no: str) -> str:
    return find_case(session, case_no).id


@reads
def case_no_of(session: Session, case_id: str) -> str:
    return get_case(session, case_id).case_no
