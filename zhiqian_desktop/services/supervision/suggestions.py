"""司法建议: the groups of cases that share an obligor or a cause, drafting a suggestion from
them, signing it (its number), recording that it was sent and the reply, the list, the overdue
replies and the month's counts. The rules are in domain/suggestions.py; every write is audited.

Who does what: any member of the team who may write drafts a suggestion; the drafter or the team
lead edits a draft; only the team lead (or an administrator) signs it for the court, which gives
it its number, and cancels a signed one; the drafter or the lead records sending and the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.errors import NotFound, PermissionDenied, UserError, check_version
from zhiqian_desktop.domain.kinds import (
    PartyRole,
    RecipientKind,
    Role,
    SuggestionGrouping,
    SuggestionStatus,
)
from zhiqian_desktop.domain.stats import Period
from zhiqian_desktop.domain.suggestions import (
    MAX_CASES,
    CaseGroup,
    GroupCase,
    check_draft,
    check_editable,
    check_reply,
    check_sent,
    check_step,
    group_facts,
    group_of,
    is_overdue,
    propose_groups,
    reply_due,
    suggestion_number,
)
from zhiqian_desktop.domain.text import HIDDEN_CHARS
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.calendar import load_calendar
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.services.intake.docket import DocketQuery, find_case, list_cases
from zhiqian_desktop.store.models import (
    Party,
    Suggestion,
    SuggestionCase,
    SupervisionCase,
    User,
)

S = SuggestionStatus


@dataclass(frozen=True)
class SuggestionRow:
    id: str
    version: int
    status: SuggestionStatus
    doc_no: str
    recipient: str
    recipient_kind: RecipientKind
    grouping: SuggestionGrouping
    group_key: str
    problem: str
    proposal: str
    drafted_on: date
    drafted_by_id: str | None
    drafted_by: str
    approved_on: date | None
    approved_by: str
    sent_on: date | None
    reply_months: int | None
    reply_due: date | None
    replied_on: date | None
    reply_summary: str
    case_count: int

    @property
    def label(self) -> str:
        """How a message names it: its number, or the draft's recipient."""
        return self.doc_no or f"（致{self.recipient}，草稿）"

    def overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.reply_due, today)


@dataclass(frozen=True)
class SuggestionCaseRow:
    case_id: str
    case_no: str
    cause: str
    obligor_names: str
    outstanding: Decimal
    received_date: date


@dataclass(frozen=True)
class ProposedGroup:
    group: CaseGroup
    case_nos: tuple[str, ...]
    facts: str


# --- reading ---------------------------------------------------------------------------------------


def _names(session: Session) -> dict[str | None, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


def _counts(session: Session, ids: Sequence[str] | None = None) -> dict[str, int]:
    query = (
        select(SuggestionCase.suggestion_id, func.count())
        .where(SuggestionCase.deleted_at.is_(None))
        .group_by(SuggestionCase.suggestion_id)
    )
    if ids is not None:
        query = query.where(SuggestionCase.suggestion_id.in_(sorted(ids)))
    return {sid: n for sid, n in session.execute(query)}


def _row(s: Suggestion, names: dict[str | None, str], count: int) -> SuggestionRow:
    return SuggestionRow(
        id=s.id,
        version=s.version,
        status=s.status,
        doc_no=s.doc_no or "",
        recipient=s.recipient,
        recipient_kind=s.recipient_kind,
        grouping=s.grouping,
        group_key=s.group_key or "",
        problem=s.problem,
        proposal=s.proposal,
        drafted_on=s.drafted_on,
        drafted_by_id=s.drafted_by,
        drafted_by=names.get(s.drafted_by, ""),
        approved_on=s.approved_on,
        approved_by=names.get(s.approved_by, "") if s.approved_by else "",
        sent_on=s.sent_on,
        reply_months=s.reply_months,
        reply_due=s.reply_due,
        replied_on=s.replied_on,
        reply_summary=s.reply_summary or "",
        case_count=count,
    )


def _row_of(session: Session, s: Suggestion) -> SuggestionRow:
    session.flush()
    return _row(s, _names(session), _counts(session, [s.id]).get(s.id, 0))


@reads
def suggestions(session: Session, *, status: SuggestionStatus | None = None) -> list[SuggestionRow]:
    """The court's suggestions, the latest drafted first."""
    query = select(Suggestion).where(Suggestion.deleted_at.is_(None))
    if status is not None:
        query = query.where(Suggestion.status == status)
    query = query.order_by(Suggestion.drafted_on.desc(), Suggestion.created_at.desc())
    names, counts = _names(session), _counts(session)
    return [_row(s, names, counts.get(s.id, 0)) for s in session.scalars(query)]


def live_suggestion(session: Session, suggestion_id: str) -> Suggestion:
    found = session.get(Suggestion, suggestion_id)
    if found is None or found.deleted_at is not None:
        raise NotFound("该司法建议不存在；请刷新后重试")
    return found


@reads
def get_suggestion(session: Session, suggestion_id: str) -> SuggestionRow:
    return _row_of(session, live_suggestion(session, suggestion_id))


@reads
def find_suggestion(session: Session, ref: str) -> SuggestionRow:
    """A suggestion by its number (half- or full-width parentheses), or by its id or the id's
    first eight or more characters (a draft has no number yet)."""
    ref = ref.strip()
    number = ref.replace("(", "（").replace(")", "）")
    live = Suggestion.deleted_at.is_(None)
    found = session.scalars(select(Suggestion).where(live, Suggestion.doc_no == number)).first()
    if found is None and len(ref) >= 8 and all(c in "0123456789abcdef-" for c in ref.lower()):
        matches = session.scalars(
            select(Suggestion).where(live, Suggestion.id.startswith(ref.lower())).limit(2)
        ).all()
        if len(matches) > 1:
            raise UserError(f"标识“{ref}”对应多件司法建议；请写出更长的标识")
        found = matches[0] if matches else None
    if found is None:
        raise NotFound(f"没有编号或标识为“{ref}”的司法建议；请核对（zhiqian suggestion list 可查）")
    return _row_of(session, found)


@reads
def suggestion_cases(session: Session, suggestion_id: str) -> list[SuggestionCaseRow]:
    """The cases a suggestion rests on, by case number."""
    rows = session.execute(
        select(SupervisionCase)
        .join(SuggestionCase, SuggestionCase.case_id == SupervisionCase.id)
        .where(
            SuggestionCase.suggestion_id == suggestion_id,
            SuggestionCase.deleted_at.is_(None),
        )
        .order_by(SupervisionCase.case_year, SupervisionCase.case_seq)
    ).scalars()
    return [
        SuggestionCaseRow(
            c.id,
            c.case_no,
            c.cause,
            c.obligor_names,
            max(c.amount_due - c.amount_paid, Decimal(0)),
            c.received_date,
        )
        for c in rows
    ]


@reads
def overdue_suggestions(
    session: Session, today: date, *, user_id: str | None = None
) -> list[SuggestionRow]:
    """Sent suggestions whose reply period has run out without a reply (the due-list's reminder:
    for a handler those he drafted, for the lead all), the longest overdue first."""
    query = select(Suggestion).where(
        Suggestion.deleted_at.is_(None),
        Suggestion.status == S.SENT,
        Suggestion.reply_due < today,
    )
    if user_id is not None:
        query = query.where(Suggestion.drafted_by == user_id)
    found = list(session.scalars(query.order_by(Suggestion.reply_due, Suggestion.doc_no)))
    names, counts = _names(session), _counts(session, [s.id for s in found])
    return [_row(s, names, counts.get(s.id, 0)) for s in found]


# --- groups of cases ----------------------------------------------------------------------------


def _group_cases(session: Session, case_ids: Iterable[str] | None = None) -> list[GroupCase]:
    query = select(SupervisionCase).where(SupervisionCase.deleted_at.is_(None))
    if case_ids is not None:
        query = query.where(SupervisionCase.id.in_(sorted(set(case_ids))))
    cases = list(
        session.scalars(query.order_by(SupervisionCase.case_year, SupervisionCase.case_seq))
    )
    obligors: dict[str, list[str]] = {}
    parties = select(Party.case_id, Party.name).where(
        Party.deleted_at.is_(None), Party.role == PartyRole.OBLIGOR
    )
    if case_ids is not None:
        parties = parties.where(Party.case_id.in_([c.id for c in cases]))
    for case_id, name in session.execute(parties.order_by(Party.case_id, Party.position)):
        obligors.setdefault(case_id, []).append(name)
    return [
        GroupCase(
            c.id,
            c.cause,
            tuple(obligors.get(c.id, ())),
            c.amount_due - c.amount_paid,
            c.received_date,
        )
        for c in cases
    ]


def _case_nos(session: Session, ids: Iterable[str]) -> tuple[str, ...]:
    rows = session.execute(
        select(SupervisionCase.id, SupervisionCase.case_no).where(
            SupervisionCase.id.in_(sorted(set(ids)))
        )
    )
    found = {case_id: case_no for case_id, case_no in rows}
    return tuple(found[i] for i in ids if i in found)


@reads
def proposed_groups(
    session: Session, grouping: SuggestionGrouping, *, threshold: int | None = None
) -> list[ProposedGroup]:
    """The obligors (or causes) shared by at least the court's number of cases (设置)."""
    if threshold is None:
        threshold = get_settings(session).suggestion_threshold
    groups = propose_groups(_group_cases(session), grouping, threshold)
    return [ProposedGroup(g, _case_nos(session, g.case_ids), group_facts(g)) for g in groups]


@reads
def group_named(session: Session, grouping: SuggestionGrouping, key: str) -> ProposedGroup:
    """Every case of one obligor (or cause), however many."""
    key = key.strip()
    by_obligor = grouping is SuggestionGrouping.OBLIGOR
    found = [
        c
        for c in _group_cases(session)
        if key in ({o.strip() for o in c.obligors} if by_obligor else {c.cause})
    ]
    if not found:
        what = "被申请人" if by_obligor else "案由"
        raise NotFound(f"台账中没有{what}为“{key}”的案件；请核对名称")
    group = group_of(grouping, key, found)
    return ProposedGroup(group, _case_nos(session, group.case_ids), group_facts(group))


@reads
def group_for_cases(
    session: Session,
    case_ids: Sequence[str],
    grouping: SuggestionGrouping = SuggestionGrouping.SELECTED,
    key: str = "",
) -> ProposedGroup:
    """The facts of chosen cases taken together (what a draft from a selection opens with)."""
    found = _group_cases(session, case_ids)
    if len(found) != len(set(case_ids)):
        raise NotFound("所选案件中有案件不存在或已被删除；请刷新台账后重新选择")
    group = group_of(grouping, key, found)
    return ProposedGroup(group, _case_nos(session, group.case_ids), group_facts(group))


@reads
def group_for_case_nos(session: Session, numbers: Iterable[str]) -> ProposedGroup:
    """The facts of the cases a clerk listed by number (separated by lines, commas or 、)."""
    wanted = [n.strip() for n in _SEPARATORS.split("\n".join(numbers)) if n.strip()]
    if not wanted:
        raise UserError("请列出司法建议所依据的案件的案号", field="cases")
    return group_for_cases(session, [find_case(session, n).id for n in dict.fromkeys(wanted)])


@reads
def group_for_docket(session: Session, query: DocketQuery, *, today: date) -> ProposedGroup:
    """The facts of the cases the docket shows for its current filter (at most 500)."""
    rows = list_cases(session, query, today=today, limit=MAX_CASES + 1)
    if len(rows) > MAX_CASES:
        raise UserError(
            f"台账当前筛选出的案件超过{MAX_CASES}件；请按被申请人、案由或收案日期进一步筛选"
        )
    if not rows:
        raise UserError("台账当前筛选没有案件；请先在案件台账中筛选出要依据的案件")
    return group_for_cases(session, [r.id for r in rows])


_SEPARATORS = re.compile(r"[\n,，、;；]+")

# --- writing -------------------------------------------------------------------------------------


def _plain(text: str, what: str) -> str:
    if HIDDEN_CHARS.search(text.replace("\n", "")):
        raise UserError(f"{what}含有控制字符；请重新输入")
    return text


def _kind(kind: RecipientKind | str) -> RecipientKind:
    try:
        return cast(RecipientKind, RecipientKind.from_label(str(kind)))
    except ValueError:
        known = "、".join(k.label for k in RecipientKind)
        raise UserError(f"被建议单位类别“{kind}”无法识别；应为：{known}") from None


def _may_handle(actor: Actor, s: Suggestion) -> None:
    actor.require_write()
    if actor.role in (Role.ADMIN, Role.LEAD) or s.drafted_by == actor.user_id:
        return
    raise PermissionDenied("只有拟稿人或团队负责人可以办理这件司法建议")


def _open(
    session: Session,
    actor: Actor,
    suggestion_id: str,
    expected_version: int | None,
    step: SuggestionStatus | None,
) -> Suggestion:
    """The suggestion to change, once the actor, the version and the step are checked (step
    None: the draft edited). Signing, and cancelling a signed one, are the lead's."""
    s = live_suggestion(session, suggestion_id)
    _may_handle(actor, s)
    if step is S.APPROVED or (step is S.CANCELLED and s.status is S.APPROVED):
        actor.require_lead()
    if expected_version is not None:
        check_version(s.version, expected_version, "该司法建议")
    if step is None:
        check_editable(s.status, s.doc_no or "草稿")
    else:
        check_step(s.status, step, s.doc_no or "草稿")
    return s


def _link_cases(session: Session, actor: Actor, s: Suggestion, case_ids: Sequence[str]) -> None:
    for case_id in dict.fromkeys(case_ids):
        link = SuggestionCase(suggestion_id=s.id, case_id=case_id, updated_by=actor.username)
        audit.add_record(session, actor, "create", "suggestion_case", link)


def _changed(session: Session, actor: Actor, s: Suggestion, before: dict[str, object]) -> None:
    s.updated_by = actor.username
    session.flush()
    audit.record_event(
        session, actor, "update", "suggestion", s.id, before=before, after=audit.snapshot(s)
    )


@writes
def draft_suggestion(
    session: Session,
    actor: Actor,
    *,
    recipient: str,
    recipient_kind: RecipientKind | str,
    case_ids: Sequence[str],
    problem: str,
    proposal: str,
    grouping: SuggestionGrouping = SuggestionGrouping.SELECTED,
    group_key: str = "",
    today: date,
) -> SuggestionRow:
    """A draft suggestion resting on the given cases (it has no number until signed)."""
    actor.require_write()
    ids = list(dict.fromkeys(case_ids))
    recipient, problem, proposal = check_draft(
        recipient=recipient, problem=problem, proposal=proposal, case_count=len(ids)
    )
    group_for_cases(session, ids)
    s = Suggestion(
        status=S.DRAFT,
        recipient=_plain(recipient, "被建议单位"),
        recipient_kind=_kind(recipient_kind),
        grouping=cast(SuggestionGrouping, SuggestionGrouping.from_label(str(grouping))),
        group_key=_plain(group_key.strip(), "分组依据")[:200] or None,
        problem=_plain(problem, "发现的问题"),
        proposal=_plain(proposal, "建议"),
        drafted_on=today,
        drafted_by=actor.user_id,
        updated_by=actor.username,
    )
    audit.add_record(session, actor, "create", "suggestion", s)
    _link_cases(session, actor, s, ids)
    return _row_of(session, s)


@writes
def edit_suggestion(
    session: Session,
    actor: Actor,
    suggestion_id: str,
    *,
    recipient: str,
    recipient_kind: RecipientKind | str,
    problem: str,
    proposal: str,
    expected_version: int | None = None,
) -> SuggestionRow:
    """Change a draft's recipient and texts (the drafter or the lead)."""
    s = _open(session, actor, suggestion_id, expected_version, None)
    count = _counts(session, [s.id]).get(s.id, 0)
    recipient, problem, proposal = check_draft(
        recipient=recipient, problem=problem, proposal=proposal, case_count=count
    )
    before = audit.snapshot(s)
    s.recipient = _plain(recipient, "被建议单位")
    s.recipient_kind = _kind(recipient_kind)
    s.problem = _plain(problem, "发现的问题")
    s.proposal = _plain(proposal, "建议")
    _changed(session, actor, s, before)
    return _row_of(session, s)


def _next_seq(session: Session, year: int) -> int:
    # Every suggestion ever numbered keeps its row (the app deletes none; a cancelled one keeps
    # its number), so the next number is one past the year's highest: never given twice. Writers
    # do not overlap (BEGIN IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL, see
    # store/engine.py), and (year, seq) is unique besides.
    highest = session.scalar(select(func.max(Suggestion.seq)).where(Suggestion.year == year))
    return (highest or 0) + 1


@writes
def approve_suggestion(
    session: Session,
    actor: Actor,
    suggestion_id: str,
    *,
    today: date,
    expected_version: int | None = None,
) -> SuggestionRow:
    """Sign a draft for the court (the team lead): it gets the year's next number."""
    s = _open(session, actor, suggestion_id, expected_version, S.APPROVED)
    before = audit.snapshot(s)
    court_code = get_settings(session).court_code
    s.year, s.seq = today.year, _next_seq(session, today.year)
    s.doc_no = suggestion_number(s.year, court_code, s.seq)
    s.status, s.approved_on, s.approved_by = S.APPROVED, today, actor.user_id
    _changed(session, actor, s, before)
    return _row_of(session, s)


@writes
def record_sent(
    session: Session,
    actor: Actor,
    suggestion_id: str,
    *,
    sent_on: date,
    today: date,
    expected_version: int | None = None,
) -> SuggestionRow:
    """Record the day a signed suggestion was sent: the reply is due the court's number of
    months later (设置, art. 85 reckoning with the holiday table)."""
    s = _open(session, actor, suggestion_id, expected_version, S.SENT)
    check_sent(sent_on=sent_on, approved_on=cast(date, s.approved_on), today=today)
    months = get_settings(session).suggestion_reply_months
    before = audit.snapshot(s)
    s.status, s.sent_on, s.reply_months = S.SENT, sent_on, months
    s.reply_due = reply_due(sent_on, months, load_calendar(session)).end
    _changed(session, actor, s, before)
    return _row_of(session, s)


@writes
def record_reply(
    session: Session,
    actor: Actor,
    suggestion_id: str,
    *,
    replied_on: date,
    summary: str,
    today: date,
    expected_version: int | None = None,
) -> SuggestionRow:
    """Record the recipient's reply: the day it came and what it says."""
    s = _open(session, actor, suggestion_id, expected_version, S.REPLIED)
    summary = check_reply(
        replied_on=replied_on, sent_on=cast(date, s.sent_on), today=today, summary=summary
    )
    before = audit.snapshot(s)
    s.status, s.replied_on, s.reply_summary = S.REPLIED, replied_on, _plain(summary, "回复摘要")
    _changed(session, actor, s, before)
    return _row_of(session, s)


@writes
def cancel_suggestion(
    session: Session, actor: Actor, suggestion_id: str, *, expected_version: int | None = None
) -> SuggestionRow:
    """Cancel a draft (the drafter or the lead) or a signed suggestion not yet sent (the lead);
    a signed one keeps its number, which is not given again."""
    s = _open(session, actor, suggestion_id, expected_version, S.CANCELLED)
    before = audit.snapshot(s)
    s.status = S.CANCELLED
    _changed(session, actor, s, before)
    return _row_of(session, s)


# --- the month's counts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionTally:
    period: Period
    sent: list[SuggestionRow]
    replied: list[SuggestionRow]
    awaiting: list[SuggestionRow]
    overdue: int


@reads
def suggestion_tally(session: Session, period: Period) -> SuggestionTally:
    """Sent in the period, replied in the period, and awaiting a reply at its end (with how many
    of those are past their reply period)."""
    rows = suggestions(session)
    end = period.end

    def within(d: date | None) -> bool:
        return d is not None and period.start <= d <= end

    sent = [r for r in rows if within(r.sent_on)]
    replied = [r for r in rows if within(r.replied_on)]
    awaiting = [
        r
        for r in rows
        if r.sent_on is not None
        and r.sent_on <= end
        and (r.replied_on is None or r.replied_on > end)
    ]
    overdue = sum(1 for r in awaiting if r.reply_due is not None and r.reply_due < end)
    return SuggestionTally(period, sent, replied, awaiting, overdue)
