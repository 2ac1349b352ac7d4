"""Writing one planned demo case through the services, with the records its status implies: contact
logs, notices and their service, payments, settlements, preservation measures."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.issuing import is_continuing
from zhiqian_desktop.domain.kinds import (
    ContactKind,
    PartyRole,
    PaymentMethod,
    PreservationKind,
    SettlementStatus,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.demo_people import (
    BANKS,
    BEIJING,
    COMMUNITIES,
    FAILED_NOTE,
    MALE_GIVEN,
    SURNAMES,
    TOWNS,
    TRANSFER_REASON,
    UNSUITABLE_REASONS,
    WITHDRAW_REASONS,
)
from zhiqian_desktop.services.admin.demo_plan import (
    CasePlan,
    hundreds,
    plate_number,
    years_after,
    years_before,
)
from zhiqian_desktop.services.core.users import actor_for
from zhiqian_desktop.store.models import (
    Base,
    ContactLog,
    Installment,
    Payment,
    Preservation,
    Settlement,
    SupervisionCase,
    User,
)

# --- writing ---------------------------------------------------------------------------------


class CaseWriter:
    """Creates one case's supervision record: calls, visits, payments, settlement, freezes."""

    def __init__(
        self,
        session: Session,
        case: SupervisionCase,
        plan: CasePlan,
        handler: User,
        today: date,
        cal: HolidayCalendar,
    ) -> None:
        self.session = session
        self.case = case
        self.plan = plan
        self.handler = handler
        self.actor = actor_for(handler)
        self.today = today
        self.cal = cal
        self.rng = random.Random(plan.rng_seed)
        self.last_day = today - timedelta(days=1)
        self.obligor = next(p for p in case.parties if p.role is PartyRole.OBLIGOR)
        self.applicant = next(p for p in case.parties if p.role is PartyRole.APPLICANT)
        self.records: list[tuple[str, Base]] = []
        self.paid = Decimal("0.00")
        self.urged = False

    # helpers -----------------------------------------------------------------------------
    def day(self, offset: int, *, working: bool = True) -> date:
        """A day `offset` days after receipt, moved to a working day, never after yesterday."""
        d = self.plan.received + timedelta(days=max(offset, 0))
        if working:
            d = self.cal.next_working_day(d)
        return min(max(d, self.plan.received), self.last_day)

    def at(self, d: date) -> datetime:
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 20)
        return datetime.combine(d, time(minutes // 60, minutes % 60), BEIJING)

    def _fill(self, text: str, **extra: Any) -> str:
        o = self.obligor
        values: dict[str, Any] = {
            "o": o.name,
            "a": self.applicant.name,
            "h": self.handler.display_name,
            "ph": (o.phones or "").split("、")[0] or "预留号码",
            "addr": o.address or "住所地",
            "orig": self.case.original_case_no,
            "doc": self.case.original_doc_type,
            "village": self._village(),
            "g": self._grid_worker(),
        }
        values.update(extra)
        return text.format(**values)

    def _village(self) -> str:
        addr = self.obligor.address or ""
        for town, villages in TOWNS:
            for v in villages:
                if v in addr:
                    return v
            if town in addr:
                return town
        return "所在社区"

    def _grid_worker(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(("某某", "某"))

    def contact(
        self,
        d: date,
        kind: ContactKind,
        reached: bool,
        summary: str,
        *,
        promise: tuple[Decimal, date] | None = None,
        follow_up: date | None = None,
        to_applicant: bool = False,
    ) -> ContactLog:
        party = self.applicant if to_applicant else self.obligor
        phone = (party.phones or "").split("、")[0] or None
        place = party.address if kind in (ContactKind.VISIT, ContactKind.ASSISTED) else phone
        if kind is ContactKind.INTERVIEW:
            place = "本院调解室"
        log = ContactLog(
            case_id=self.case.id,
            kind=kind,
            contacted_at=self.at(d),
            handler_id=self.handler.id,
            party_id=party.id,
            contact_name=party.legal_representative or party.name,
            number_or_place=place,
            reached=reached,
            summary=summary,
            promise_amount=promise[0] if promise else None,
            promise_date=promise[1] if promise else None,
            next_follow_up=follow_up,
            updated_by=self.handler.username,
        )
        if kind is ContactKind.VISIT:
            log.others_present = self.rng.choice(("书记员", "村委会干部", "网格员", "司法警察"))
        self.records.append(("contact_log", log))
        return log

    def payment(self, d: date, amount: Decimal, *, note: str | None = None) -> None:
        method = self.rng.choices(list(PaymentMethod), (5, 3, 2))[0]
        default_note = {
            PaymentMethod.TO_APPLICANT: "申请人出具收条，已附卷",
            PaymentMethod.COURT_ACCOUNT: "交至本院执行款专户，已开具收据",
            PaymentMethod.TRANSFER: "银行转账回单已附卷",
        }[method]
        self.records.append(
            (
                "payment",
                Payment(
                    case_id=self.case.id,
                    paid_on=d,
                    amount=amount,
                    method=method,
                    payer=self.obligor.name,
                    note=note or default_note,
                    updated_by=self.handler.username,
                ),
            )
        )
        self.paid += amount

    def split(self, total: Decimal, parts: int) -> list[Decimal]:
        """`total` in `parts` round-ish amounts; the last part takes the remainder to the cent."""
        if parts <= 1 or total < 200:
            return [total]
        share = hundreds(total / parts) if total >= parts * 100 else total / parts
        share = share.quantize(Decimal("0.01"))
        amounts = [share] * (parts - 1)
        amounts.append(total - share * (parts - 1))
        return [a for a in amounts if a > 0]

    # phone and visit texts -----------------------------------------------------------------
    def unreached(self, d: date, follow_days: int = 3) -> None:
        kind, text = self.rng.choice(
            (
                (ContactKind.PHONE, "拨打被申请人预留电话{ph}，无人接听。"),
                (ContactKind.PHONE, "拨打{ph}提示已关机，拟另行上门送达自动履行催告书。"),
                (ContactKind.PHONE, "拨打{ph}提示为空号，需通过村委会核实新的联系方式。"),
                (ContactKind.PHONE, "电话接通后对方自称不认识{o}，随即挂断。"),
                (
                    ContactKind.VISIT,
                    "到被申请人住所{addr}上门督促，家中无人，向邻居了解其外出务工，已留置联系卡片。",
                ),
                (
                    ContactKind.ASSISTED,
                    "委托{village}网格员{g}协助联系被申请人，网格员反映其在外地务工，已转告其尽快与承办人联系。",
                ),
            )
        )
        self.contact(d, kind, False, self._fill(text), follow_up=d + timedelta(days=follow_days))

    def urging(self, d: date, follow_days: int = 7) -> None:
        kind, text = self.rng.choice(
            (
                (
                    ContactKind.PHONE,
                    "电话联系被申请人{o}，告知{orig}{doc}已生效，督促其在催告期内自动履行，"
                    "释明逾期不履行将被强制执行、纳入失信被执行人名单、限制高消费等后果，并约定送达自动履行催告书。",
                ),
                (
                    ContactKind.VISIT,
                    "承办人{h}与书记员到被申请人{o}住所（{addr}）当面送达自动履行催告书、执行风险提示书，"
                    "释明拒不履行的法律后果。{o}表示知悉，称将尽快筹款。",
                ),
                (
                    ContactKind.INTERVIEW,
                    "被申请人{o}应通知到院，承办人送达自动履行催告书，释明自动履行可免受强制执行措施、"
                    "无需负担执行费用，迟延履行期间的债务利息是否主张由申请人决定，"
                    "{o}表示认可欠款，需与家人商量筹款。",
                ),
            )
        )
        self.contact(d, kind, True, self._fill(text), follow_up=d + timedelta(days=follow_days))
        self.urged = True

    def promise(self, d: date, amount: Decimal, on: date, *, follow_up: bool = True) -> None:
        kind, text = self.rng.choice(
            (
                (
                    ContactKind.PHONE,
                    "电话督促被申请人{o}，其表示认可欠款，因资金周转困难，承诺于{pd}前支付{pa}元。",
                ),
                (
                    ContactKind.PHONE,
                    "被申请人{o}称近期在外务工，工资发放后即还款，承诺{pd}前支付{pa}元。",
                ),
                (
                    ContactKind.VISIT,
                    "会同{village}村委会干部到被申请人家中约谈，{o}称今年收成不好，同意先行支付部分款项，"
                    "承诺{pd}前支付{pa}元。",
                ),
                (
                    ContactKind.INTERVIEW,
                    "被申请人{o}到院约谈，承办人释明失信惩戒、限制高消费及拒执罪风险，"
                    "{o}当场承诺于{pd}前支付{pa}元。",
                ),
                (
                    ContactKind.MESSAGE,
                    "通过微信与被申请人{o}沟通，其回复同意于{pd}前转账{pa}元，已截图附卷。",
                ),
            )
        )
        summary = self._fill(text, pd=f"{on.month}月{on.day}日", pa=f"{amount:,}")
        self.contact(
            d,
            kind,
            True,
            summary,
            promise=(amount, on),
            follow_up=on + timedelta(days=1) if follow_up else None,
        )

    def refusal(self, d: date) -> None:
        kind, text = self.rng.choice(
            (
                (
                    ContactKind.PHONE,
                    "电话联系被申请人{o}，其对判决结果有异议，表示正在考虑申请再审，暂不履行。"
                    "已告知申请再审不停止生效裁判的执行。",
                ),
                (
                    ContactKind.PHONE,
                    "被申请人{o}接听后称无力偿还，要求申请人减免利息，未作出具体履行承诺。已转告申请人。",
                ),
                (
                    ContactKind.VISIT,
                    "到被申请人{o}住所约谈，其称工程款尚未结算，待发包方付款后再履行，拒绝签署履行承诺书。",
                ),
                (
                    ContactKind.MESSAGE,
                    "向被申请人{o}手机{ph}发送短信：请于收到本短信之日起5日内履行{orig}{doc}确定的义务，"
                    "逾期将依法移送执行。对方未回复。",
                ),
            )
        )
        self.contact(d, kind, True, self._fill(text), follow_up=d + timedelta(days=5))

    def warning(self, d: date) -> None:
        notice = self.rng.choice(("预罚款通知书", "预拘留通知书", "预失信通知书", "预限高通知书"))
        if not self.urged:
            # A warning recites that the obligor was urged: without that, the team urges first.
            self.urging(d)
            return
        summary = self._fill(
            "向被申请人{o}送达"
            + notice
            + "，告知逾期仍不履行的，案件进入强制执行程序后，人民法院可以依法采取相应措施。"
            "{o}签收，未表态。"
        )
        self.contact(d, ContactKind.VISIT, True, summary, follow_up=d + timedelta(days=5))

    def tell_applicant(self, d: date, text: str) -> None:
        self.contact(d, ContactKind.APPLICANT_NOTICE, True, self._fill(text), to_applicant=True)

    # status stories --------------------------------------------------------------------------
    def write(self) -> None:
        status = self.plan.status
        getattr(self, "_" + status.value)()
        if self.rng.random() < 0.16 and self.case.amount_due > 0:
            self.preservation()

    def _registered(self) -> None:
        if self.plan.received < self.last_day and self.rng.random() < 0.5:
            self.unreached(self.day(1), follow_days=2)

    def _supervising(self) -> None:
        due = self.case.amount_due
        span = (self.last_day - self.plan.received).days
        d = self.day(self.rng.randint(0, 2))
        if self.rng.random() < 0.3:
            self.unreached(d)
            d = self.day((d - self.plan.received).days + self.rng.randint(1, 3))
        self.urging(d)
        if due > 0 and span > 10 and self.rng.random() < 0.35:
            part = self.split(due, self.rng.choice((3, 4, 5)))[0]
            pay_day = self.day(self.rng.randint(5, max(6, span - 3)))
            self.promise(
                self.day((pay_day - self.plan.received).days - 3), part, pay_day, follow_up=False
            )
            self.payment(pay_day, part)
        if due > 0 and span > 4:
            # The latest promise: some fall due in the coming days, some are already overdue.
            last = self.day(max(1, span - self.rng.randint(0, 6)))
            on = last + timedelta(days=self.rng.randint(3, 15))
            remaining = due - self.paid
            amount = remaining if self.rng.random() < 0.4 else self.split(remaining, 2)[0]
            self.promise(last, amount, on)

    def _settlement(self, *, complete: bool) -> None:
        rng = self.rng
        due = self.case.amount_due
        self.urging(self.day(rng.randint(0, 3)))
        signed = self.day(rng.randint(8, 30))
        if rng.random() < 0.5:
            self.refusal(self.day((signed - self.plan.received).days - rng.randint(2, 6)))
        months = rng.randint(2, 5)
        if not complete:
            # an active settlement still has installments to come after today
            elapsed = (self.today.year - signed.year) * 12 + self.today.month - signed.month
            months = max(rng.randint(3, 8), elapsed + rng.randint(1, 4))
        down = hundreds(due * Decimal(rng.choice(("0.2", "0.3", "0.4"))))
        if down <= 0 or down >= due:
            down = Decimal("0.00")
        rest = self.split(due - down, months)
        pay_day = rng.randint(5, 25)
        schedule: list[tuple[date, Decimal]] = []
        if down > 0:
            schedule.append((signed, down))
        for k, amount in enumerate(rest, start=1):
            month = signed.month - 1 + k
            schedule.append((date(signed.year + month // 12, month % 12 + 1, pay_day), amount))
        guarantor = None
        if rng.random() < 0.3:
            guarantor = rng.choice(SURNAMES) + rng.choice(MALE_GIVEN)
        # The schedule is the installment table; the free text holds only what the table cannot.
        terms = "申请人放弃主张迟延履行期间的加倍部分债务利息。"
        settlement = Settlement(
            case_id=self.case.id,
            signed_on=signed,
            terms=terms,
            default_clause="被申请人任何一期未按时足额履行的，申请人有权就剩余全部款项申请强制执行。",
            guarantee=f"由{guarantor}对被申请人的付款义务提供连带责任保证" if guarantor else None,
            total_amount=due,
            status=SettlementStatus.PERFORMED if complete else SettlementStatus.ACTIVE,
            updated_by=self.handler.username,
        )
        for seq, (when, amount) in enumerate(schedule, start=1):
            settlement.installments.append(
                Installment(seq=seq, due_date=when, amount=amount, updated_by=self.handler.username)
            )
        self.records.append(("settlement", settlement))
        self.contact(
            signed,
            ContactKind.INTERVIEW,
            True,
            self._fill("双方当事人到院，在承办人{h}主持下达成分期履行和解协议，当场签署。"),
            follow_up=schedule[1][0] + timedelta(days=1) if len(schedule) > 1 else None,
        )
        last_paid: date | None = None
        for when, amount in schedule:
            paid_on = when - timedelta(days=rng.randint(0, 3)) if when > signed else when
            paid_on = max(paid_on, signed)
            if paid_on > self.last_day:
                break
            if not complete and when > self.today - timedelta(days=25) and rng.random() < 0.3:
                break  # this installment was missed: it shows on the due-list as overdue
            self.payment(paid_on, amount, note="按和解协议分期履行")
            last_paid = paid_on
        if complete and last_paid is not None:
            self.tell_applicant(
                self.day((last_paid - self.plan.received).days + 1),
                "电话告知申请人{a}：被申请人已按和解协议履行完毕，申请人确认收到全部款项，同意结案。",
            )
            self.close(
                self.day((last_paid - self.plan.received).days + rng.randint(1, 4)),
                "被申请人已按和解协议履行完毕",
            )

    def _settled(self) -> None:
        self._settlement(complete=False)

    def _settlement_performed(self) -> None:
        self._settlement(complete=True)

    def _performed(self) -> None:
        rng = self.rng
        due = self.case.amount_due
        d = rng.randint(0, 3)
        if rng.random() < 0.3:
            self.unreached(self.day(d))
            d += rng.randint(1, 4)
        self.urging(self.day(d))
        if due == 0:
            done = self.day(d + rng.randint(5, 25))
            self.tell_applicant(
                done,
                "电话回访申请人{a}，确认被申请人已履行"
                + (self.case.obligation_act or "")
                + "，申请人同意结案。",
            )
            self.close(done, "被申请人已自动履行生效法律文书确定的义务")
            return
        parts = self.split(due, rng.choice((1, 1, 1, 2, 2, 3)))
        for amount in parts:
            d += rng.randint(3, 18)
            on = self.day(d)
            self.promise(self.day(d - rng.randint(2, 5)), amount, on, follow_up=False)
            self.payment(on, amount)
        done = self.day(d + rng.randint(0, 3))
        self.tell_applicant(
            done, "电话告知申请人{a}：被申请人已履行全部给付义务，申请人确认收到款项，同意结案。"
        )
        self.close(done, "被申请人已自动履行完毕")

    def _failure_story(self) -> int:
        rng = self.rng
        d = rng.randint(0, 3)
        if rng.random() < 0.6:
            self.urging(self.day(d))
        else:
            self.unreached(self.day(d))
        for _ in range(rng.randint(1, 3)):
            d += rng.randint(3, 8)
            (self.refusal if rng.random() < 0.5 else self.unreached)(self.day(d))
        if self.case.amount_due > 0 and rng.random() < 0.2:
            d += rng.randint(2, 5)
            self.payment(
                self.day(d), self.split(self.case.amount_due, 5)[0], note="被申请人仅支付部分款项"
            )
        d += rng.randint(2, 6)
        self.warning(self.day(d))
        return d

    def _failed(self) -> None:
        self._failure_story()
        d = 31 + self.rng.randint(0, 2)
        self.tell_applicant(
            self.day(d),
            "向申请人{a}回告：督促期满被申请人仍未履行，征询是否申请强制执行，申请人表示同意，"
            "当日提交申请执行书。",
        )
        self.case.application_received_on = self.day(d)
        self.case.notes = FAILED_NOTE

    def _transferred(self) -> None:
        self._failure_story()
        d = 31 + self.rng.randint(0, 10)
        self.tell_applicant(
            self.day(d),
            "向申请人{a}回告：督促期满被申请人未履行，申请人提交申请执行书，案件移送执行立案。",
        )
        self.case.application_received_on = self.day(d)
        self.close(self.day(d + self.rng.randint(1, 6)), TRANSFER_REASON)

    def _withdrawn(self) -> None:
        d = self.rng.randint(0, 3)
        if self.rng.random() < 0.6:
            self.urging(self.day(d))
        d += self.rng.randint(2, 25)
        self.tell_applicant(self.day(d), "申请人{a}来电称已与被申请人自行协商解决，申请撤回督促。")
        self.close(self.day(d), self.rng.choice(WITHDRAW_REASONS))

    def _unsuitable(self) -> None:
        d = 0
        for _ in range(self.rng.randint(1, 3)):
            d += self.rng.randint(1, 6)
            self.unreached(self.day(d))
        self.close(self.day(d + self.rng.randint(1, 5)), self.rng.choice(UNSUITABLE_REASONS))

    def close(self, d: date, reason: str) -> None:
        self.case.closed_date = d
        self.case.close_reason = reason
        act = self.case.obligation_act
        if self.plan.status is CaseStatus.PERFORMED and act and not is_continuing(act):
            # Confirmed performed at closing; an obligation performed over time (monthly support)
            # is never recorded as done, so no certificate is printed for it.
            self.case.act_performed_on = d
        contacts = [r for _, r in self.records if isinstance(r, ContactLog)]
        if contacts:
            contacts[-1].next_follow_up = None  # nothing is followed up after the case closed

    def preservation(self) -> None:
        rng = self.rng
        kind = rng.choices(list(PreservationKind)[:3], (5, 2, 2))[0]
        years = {
            PreservationKind.BANK_DEPOSIT: 1,
            PreservationKind.MOVABLE: 2,
            PreservationKind.REAL_PROPERTY: 3,
        }[kind]
        effective = self.case.effective_date or self.plan.received
        frozen = effective - timedelta(days=rng.randint(30, 200))
        if (
            self.plan.status in (CaseStatus.SUPERVISING, CaseStatus.SETTLED, CaseStatus.FAILED)
            and rng.random() < 0.5
        ):
            # expiring soon: the due-list warns 30 days ahead
            expires = self.today + timedelta(days=rng.randint(5, 40))
            frozen = min(years_before(expires, years) + timedelta(days=1), effective)
        expires = years_after(frozen, years) - timedelta(days=1)
        amount: Decimal | None = None
        if kind is PreservationKind.BANK_DEPOSIT:
            amount = min(self.case.amount_due, Decimal(rng.randint(500, 80_000))).quantize(
                Decimal("0.01")
            )
            text = (
                f"冻结被申请人{self.obligor.name}在{rng.choice(BANKS)}账户（尾号{rng.randint(1000, 9999)}）"
                f"内存款{amount:,}元"
            )
        elif kind is PreservationKind.MOVABLE:
            text = f"查封被申请人{self.obligor.name}名下{plate_number(rng)}号小型轿车一辆（未扣押）"
        else:
            text = (
                f"查封被申请人{self.obligor.name}名下位于土默特右旗萨拉齐镇{rng.choice(COMMUNITIES)}"
                f"{rng.randint(1, 28)}号楼{rng.randint(1, 6)}单元房产一套"
            )
        self.records.append(
            (
                "preservation",
                Preservation(
                    case_id=self.case.id,
                    kind=kind,
                    description=text,
                    frozen_on=frozen,
                    expires_on=expires,
                    amount=amount,
                    updated_by=self.handler.username,
                ),
            )
        )
