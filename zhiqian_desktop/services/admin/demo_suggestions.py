"""Demo data: judicial suggestions drafted from the demo's own cases — one replied to, one whose
reply is overdue (on the due-list), one awaiting its reply, one draft waiting to be signed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.kinds import PartyRole, RecipientKind, SuggestionGrouping
from zhiqian_desktop.services.admin.demo_people import HOT_COMPANY
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.supervision import suggestions as sg
from zhiqian_desktop.store.models import Party, SupervisionCase

G = SuggestionGrouping


@dataclass(frozen=True)
class DemoSuggestion:
    grouping: SuggestionGrouping
    key: str
    recipient: str
    kind: RecipientKind
    problem: str
    proposal: str
    drafted: int
    """Days before today; the signing, sending and reply follow (None: not yet)."""
    signed: int | None = None
    sent: int | None = None
    replied: int | None = None
    reply: str = ""
    by_handler: bool = False


SUGGESTIONS = (
    DemoSuggestion(
        G.CAUSE,
        "金融借款合同纠纷",
        "国家金融监督管理总局包头监管分局",
        RecipientKind.REGULATOR,
        "上述案件中，借款人多为农村居民，部分贷款发放时未核实借款人的实际还款能力，"
        "保证人对担保责任了解不足，逾期后集中起诉，执行前督促中多数借款人无力一次清偿。",
        "一、督促辖区银行业金融机构严格贷前审查，核实借款人的收入和还款能力。\n"
        "二、指导金融机构在逾期初期与借款人协商分期还款，减少诉讼。\n"
        "三、加强对保证人的风险提示，避免因不了解担保责任引发纠纷。",
        drafted=82,
        signed=80,
        sent=79,
        replied=20,
        reply="已转发辖区各银行业金融机构，要求严格贷前审查、逾期后先行协商，并于下季度报送落实情况。",
    ),
    DemoSuggestion(
        G.OBLIGOR,
        HOT_COMPANY.name,
        "土默特右旗人力资源和社会保障局",
        RecipientKind.GOVERNMENT,
        "上述案件均为追索劳动报酬纠纷，申请人多为该公司的一线工人，被申请人经督促仍未支付工资，"
        "反映出该公司存在拖欠工资的情况。",
        "一、对该公司的工资支付情况开展专项检查，督促其按时足额支付工资。\n"
        "二、落实工资保证金制度，防止欠薪案件再次发生。",
        drafted=76,
        signed=75,
        sent=74,
        by_handler=True,
    ),
    DemoSuggestion(
        G.CAUSE,
        "机动车交通事故责任纠纷",
        "某财产保险股份有限公司包头中心支公司",
        RecipientKind.INSURER,
        "部分案件中，保险公司对交强险限额内的赔偿待判决生效后才予理赔，申请人因此需申请执行。",
        "建议对生效裁判确定的交强险赔偿款，在收到法律文书后及时主动理赔。",
        drafted=12,
        signed=11,
        sent=10,
    ),
    DemoSuggestion(
        G.CAUSE,
        "物业服务合同纠纷",
        "土默特右旗住房和城乡建设局",
        RecipientKind.GOVERNMENT,
        "业主拒交物业费的原因多为对服务质量不满，矛盾未经调解即进入诉讼。",
        "建议指导物业服务企业公开服务标准和收费明细，推动社区调解前置。",
        drafted=3,
    ),
)


def _case_ids(
    session: Session, numbers: Sequence[str], item: DemoSuggestion, by: date
) -> list[str]:
    """The demo's own cases of the group received by the day of drafting (the facts of the
    suggestion are the facts as they stood then)."""
    query = select(SupervisionCase.id).where(
        SupervisionCase.case_no.in_(list(numbers)), SupervisionCase.received_date <= by
    )
    if item.grouping is G.CAUSE:
        query = query.where(SupervisionCase.cause == item.key)
    else:
        query = query.join(Party, Party.case_id == SupervisionCase.id).where(
            Party.role == PartyRole.OBLIGOR, Party.name == item.key
        )
    return list(dict.fromkeys(session.scalars(query.order_by(SupervisionCase.case_seq))))


def add_demo_suggestions(
    session: Session, lead: Actor, handler: Actor, numbers: Sequence[str], today: date
) -> int:
    """The suggestions whose groups the demo's cases fill; returns how many were added."""
    added = 0
    for item in SUGGESTIONS:
        drafted = today - timedelta(days=item.drafted)
        ids = _case_ids(session, numbers, item, drafted)
        if not ids:
            continue
        group = sg.group_for_cases(session, ids, item.grouping, item.key)
        row = sg.draft_suggestion(
            session,
            handler if item.by_handler else lead,
            recipient=item.recipient,
            recipient_kind=item.kind,
            case_ids=ids,
            problem=f"{group.facts}\n{item.problem}",
            proposal=item.proposal,
            grouping=item.grouping,
            group_key=item.key,
            today=drafted,
        )
        added += 1
        if item.signed is None:
            continue
        sg.approve_suggestion(session, lead, row.id, today=today - timedelta(days=item.signed))
        if item.sent is None:
            continue
        on = today - timedelta(days=item.sent)
        sg.record_sent(session, lead, row.id, sent_on=on, today=today)
        if item.replied is not None:
            on = today - timedelta(days=item.replied)
            sg.record_reply(session, lead, row.id, replied_on=on, summary=item.reply, today=today)
    return added
