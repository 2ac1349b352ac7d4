"""Planning the demo cases (pure: only the seed and the holiday calendar decide it): for each case
its people, cause, amount, dates and the status it should reach."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.identity import resident_id_check_char
from zhiqian_desktop.domain.kinds import (
    CaseSource,
    PartyKind,
    PartyRole,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services.admin.demo_people import (
    CAUSES,
    COMMUNITIES,
    COMPANIES,
    DEPARTMENTS,
    FEMALE_GIVEN,
    HANDLERS,
    HOT_CAUSES,
    HOT_COMPANY,
    ID_REGIONS,
    JUDGES,
    LENDERS,
    MALE_GIVEN,
    MOBILE_PREFIXES,
    MONEY_ONLY,
    MONGOLIAN_FEMALE,
    MONGOLIAN_MALE,
    PROPERTY_COMPANIES,
    STATUS_WEIGHTS,
    SURNAMES,
    TOWNS,
    TRIBUNALS,
    Cause,
    Company,
    credit_code_for,
)
from zhiqian_desktop.services.intake.docket import CaseInput, PartyInput

# Range of the receiving date as days before today, per status: a case taken in last week cannot
# have been transferred already, and a settlement paid in full needs months of installments.
AGE_DAYS: dict[CaseStatus, tuple[int, int]] = {
    CaseStatus.REGISTERED: (0, 7),
    CaseStatus.SUPERVISING: (3, 45),
    CaseStatus.SETTLED: (45, 240),
    CaseStatus.PERFORMED: (20, 730),
    CaseStatus.SETTLEMENT_PERFORMED: (200, 730),
    CaseStatus.FAILED: (32, 75),
    CaseStatus.TRANSFERRED: (50, 730),
    CaseStatus.WITHDRAWN: (6, 730),
    CaseStatus.UNSUITABLE: (6, 730),
}


# --- planning (pure: only the seed and the holiday calendar decide it) ------------------------


@dataclass
class PlannedPerson:
    name: str
    male: bool
    id_number: str
    phone: str
    address: str
    town: str
    village: str


@dataclass
class CasePlan:
    index: int
    status: CaseStatus
    received: date
    data: CaseInput
    handler: int
    tribunal: int | None
    original_kind: str
    original_year: int
    original_seq: int
    rng_seed: int


class _Planner:
    def __init__(self, rng: random.Random, today: date, cal: HolidayCalendar, court_code: str):
        self.rng = rng
        self.today = today
        self.cal = cal
        self.court_code = court_code

    # people ------------------------------------------------------------------------------
    def name(self, male: bool) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return rng.choice(MONGOLIAN_MALE if male else MONGOLIAN_FEMALE)
        return rng.choice(SURNAMES) + rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def resident_id(self, birth: date, male: bool) -> str:
        rng = self.rng
        regions = [r for r, _ in ID_REGIONS]
        weights = [w for _, w in ID_REGIONS]
        region = rng.choices(regions, weights)[0]
        sex_digit = rng.choice("13579" if male else "02468")
        first17 = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{sex_digit}"
        return first17 + resident_id_check_char(first17)

    def address(self) -> tuple[str, str, str]:
        rng = self.rng
        town, villages = rng.choice(TOWNS)
        village = rng.choice(villages)
        if rng.random() < 0.4:
            text = (
                f"内蒙古自治区包头市土默特右旗萨拉齐镇{rng.choice(COMMUNITIES)}"
                f"{rng.randint(1, 28)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
            )
            return text, "萨拉齐镇", village
        return f"内蒙古自治区包头市土默特右旗{town}{village}{rng.randint(1, 260)}号", town, village

    def person(self, *, age: tuple[int, int] = (22, 68), male: bool | None = None) -> PlannedPerson:
        rng = self.rng
        male = rng.random() < 0.62 if male is None else male
        years = rng.randint(*age)
        birth = self.today - timedelta(days=years * 365 + rng.randrange(365))
        addr, town, village = self.address()
        return PlannedPerson(
            self.name(male), male, self.resident_id(birth, male), self.mobile(), addr, town, village
        )

    def person_party(
        self, role: PartyRole, p: PlannedPerson, *, second_phone: bool = False
    ) -> PartyInput:
        phones = p.phone
        if second_phone:
            phones += "、" + self.mobile()
        return PartyInput(
            role, p.name, PartyKind.PERSON, id_number=p.id_number, phones=phones, address=p.address
        )

    def company_party(self, role: PartyRole, c: Company) -> PartyInput:
        return PartyInput(
            role,
            c.name,
            c.kind,
            id_number=credit_code_for(c.name, c.region),
            phones=c.phone,
            address=c.address,
            legal_representative=c.legal_representative,
            registered_capital=c.capital,
            licence_status=c.licence,
        )

    # dates -------------------------------------------------------------------------------
    def working_day_back(self, d: date) -> date:
        while self.cal.is_rest_day(d):
            d -= timedelta(days=1)
        return d

    def received_date(self, status: CaseStatus, recent: bool) -> date:
        low, high = AGE_DAYS[status]
        if recent:
            high = min(high, 330)
            low = min(low, high)
        day = self.today - timedelta(days=self.rng.randint(low, high))
        return self.working_day_back(day)

    # amounts -----------------------------------------------------------------------------
    def amount(self, cause: Cause) -> Decimal:
        rng = self.rng
        # Skewed towards the low end, like real dockets: many small debts, a few large ones.
        yuan = cause.low + (cause.high - cause.low) * rng.random() ** 2.2
        if cause.name in ("抚养费纠纷", "赡养费纠纷"):
            monthly = rng.choice((600, 800, 1000, 1200, 1500))
            return Decimal(monthly * max(1, round(yuan / monthly)))
        if rng.random() < 0.45:
            return Decimal(round(yuan / 100) * 100).quantize(Decimal("0.01"))
        # principal plus interest and the court fee borne by the obligor: cents are common
        return (Decimal(int(yuan * 100)) / 100).quantize(Decimal("0.01"))

    # one case ----------------------------------------------------------------------------
    def plan(self, index: int, status: CaseStatus) -> CasePlan:
        rng = self.rng
        hot = False
        causes = [c for c in CAUSES if not (status in MONEY_ONLY and c.name == "离婚纠纷")]
        cause = rng.choices(causes, [c.weight for c in causes])[0]
        if cause.name in HOT_CAUSES and status not in (
            CaseStatus.SETTLEMENT_PERFORMED,
            CaseStatus.UNSUITABLE,
        ):
            hot = rng.random() < 0.2
        received = self.received_date(status, recent=hot)
        effective = received - timedelta(days=rng.randint(10, 75))
        deadline_days = rng.choice((0, 10, 10, 15, 15, 30))
        performance_deadline = effective + timedelta(days=deadline_days)
        if performance_deadline > received:
            performance_deadline = effective
        parties, amount, act = self.parties_and_obligation(cause, hot)
        handler = rng.randrange(len(HANDLERS))
        tribunal: int | None = None
        department = rng.choice(DEPARTMENTS)
        if rng.random() < 0.4:
            tribunal = rng.randrange(len(TRIBUNALS))
            department = TRIBUNALS[tribunal][0]
            if rng.random() < 0.8:
                handler = TRIBUNALS[tribunal][2]
        kind_roll = rng.random()
        doc_type = "判决书"
        original_kind = "民初"
        if kind_roll < 0.35:
            doc_type = "调解书"
        elif kind_roll < 0.45:
            original_kind = "民终"
        elif kind_roll < 0.50 and cause.name in ("民间借贷纠纷", "买卖合同纠纷"):
            doc_type, original_kind = "司法确认裁定书", "民特"
        original_year = effective.year if rng.random() < 0.7 else effective.year - 1
        top = {"民初": 4800, "民终": 2600, "民特": 320}[original_kind]
        source = CaseSource.APPLICATION if rng.random() < 0.2 else CaseSource.HANDOVER
        data = CaseInput(
            original_case_no="",  # made unique against the database when written
            cause=cause.name,
            received_date=received,
            parties=parties,
            amount_due=amount,
            obligation_act=act,
            original_doc_type=doc_type,
            effective_date=effective,
            performance_deadline=performance_deadline,
            department=department,
            trial_judge=rng.choice(JUDGES),
            livelihood=cause.livelihood_kind is not None,
            livelihood_kind=cause.livelihood_kind,
            source=source,
        )
        return CasePlan(
            index=index,
            status=status,
            received=received,
            data=data,
            handler=handler,
            tribunal=tribunal,
            original_kind=original_kind,
            original_year=original_year,
            original_seq=rng.randint(1, top),
            rng_seed=rng.randrange(2**32),
        )

    def parties_and_obligation(
        self, cause: Cause, hot: bool
    ) -> tuple[list[PartyInput], Decimal, str | None]:
        rng = self.rng
        ap, ob = PartyRole.APPLICANT, PartyRole.OBLIGOR
        amount = self.amount(cause)
        act: str | None = None
        parties: list[PartyInput]
        if hot:
            worker = self.person(male=True)
            parties = [self.person_party(ap, worker), self.company_party(ob, HOT_COMPANY)]
        elif cause.name == "抚养费纠纷":
            child = self.person(age=(3, 15))
            parent = self.person(male=rng.random() < 0.85)
            parties = [self.person_party(ap, child), self.person_party(ob, parent)]
        elif cause.name == "赡养费纠纷":
            elder = self.person(age=(68, 88))
            parties = [self.person_party(ap, elder)]
            for _ in range(rng.choice((1, 1, 2))):
                parties.append(self.person_party(ob, self.person(age=(38, 60))))
        elif cause.name == "离婚纠纷":
            wife = self.person(male=False, age=(25, 55))
            husband = self.person(male=True, age=(25, 58))
            a, o = (wife, husband) if rng.random() < 0.6 else (husband, wife)
            parties = [self.person_party(ap, a), self.person_party(ob, o, second_phone=True)]
            plate = self.plate()
            act = rng.choice(
                (
                    f"协助申请人办理{plate}号小型轿车过户登记手续",
                    "将婚生子交由申请人抚养，并于每月最后一日前支付抚养费",
                    "返还申请人陪嫁物品（清单见调解书附件）",
                )
            )
            if rng.random() < 0.4:
                amount = Decimal("0.00")
        elif cause.name == "物业服务合同纠纷":
            owner = self.person()
            parties = [
                self.company_party(ap, rng.choice(PROPERTY_COMPANIES)),
                self.person_party(ob, owner),
            ]
        elif cause.name == "金融借款合同纠纷":
            borrower = self.person()
            parties = [self.company_party(ap, rng.choice(LENDERS)), self.person_party(ob, borrower)]
            if rng.random() < 0.3:
                parties.append(self.person_party(ob, self.person()))  # the guarantor
        elif (
            cause.name in ("买卖合同纠纷", "追索劳动报酬纠纷", "劳务合同纠纷")
            and rng.random() < 0.35
        ):
            seller = (
                self.company_party(ap, rng.choice(COMPANIES[2:]))
                if cause.name == "买卖合同纠纷"
                else self.person_party(ap, self.person(male=True))
            )
            parties = [seller, self.company_party(ob, rng.choice(COMPANIES[1:]))]
        else:
            creditor = self.person()
            debtor = self.person()
            parties = [self.person_party(ap, creditor), self.person_party(ob, debtor)]
            if cause.name == "民间借贷纠纷" and rng.random() < 0.18:
                spouse = self.person(male=not debtor.male)
                parties.append(self.person_party(ob, spouse))  # 夫妻共同债务
        return parties, amount, act

    def plate(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        return "蒙B·" + "".join(self.rng.choice(letters) for _ in range(5))


def plan_cases(
    seed: int, count: int, today: date, cal: HolidayCalendar, court_code: str
) -> list[CasePlan]:
    """Everything about the cases that does not depend on the database, in receiving order."""
    rng = random.Random(seed)
    statuses = [s for s, _ in STATUS_WEIGHTS] if count >= len(STATUS_WEIGHTS) else []
    statuses += rng.choices(
        [s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS], k=count - len(statuses)
    )
    rng.shuffle(statuses)
    planner = _Planner(rng, today, cal, court_code)
    plans = [planner.plan(i, status) for i, status in enumerate(statuses)]
    plans.sort(key=lambda p: (p.received, p.index))
    return plans


def hundreds(amount: Decimal) -> Decimal:
    """Rounded down to whole hundreds of yuan, as instalments are agreed, kept with two decimals."""
    return (amount // 100 * 100).quantize(Decimal("0.01"))


def chinese_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def years_before(d: date, years: int) -> date:
    return years_after(d, -years)


def plate_number(rng: random.Random) -> str:
    return "蒙B·" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))
