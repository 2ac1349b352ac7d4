"""Realistic demo data: a team of handlers, tribunals and a few hundred cases with their records.

Everything is drawn from one seeded random generator before anything is written, so the same seed
gives the same cases (apart from ids and, when other data exists, the team's case numbers). Cases
are registered through the docket service in small transactions, so several demo runs writing to
one database at the same time still receive unique, gap-free case numbers.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import HolidayCalendar
from zhiqian_desktop.domain.identity import credit_code_check_char, resident_id_check_char
from zhiqian_desktop.domain.issuing import is_continuing
from zhiqian_desktop.domain.kinds import (
    CaseSource,
    ContactKind,
    LicenceStatus,
    PartyKind,
    PartyRole,
    PaymentMethod,
    PreservationKind,
    Role,
    SettlementStatus,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.services import audit, docket
from zhiqian_desktop.services.actor import SYSTEM, Actor
from zhiqian_desktop.services.calendar import load_calendar
from zhiqian_desktop.services.docket import CaseInput, PartyInput
from zhiqian_desktop.services.settings import get_settings
from zhiqian_desktop.services.users import actor_for, create_user
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import (
    Base,
    ContactLog,
    Installment,
    Payment,
    Preservation,
    Settlement,
    SupervisionCase,
    Tribunal,
    User,
)

BEIJING = timezone(timedelta(hours=8), "CST")
BATCH = 25
"""Cases per transaction: short enough that a concurrent writer waits well under busy_timeout."""

# --- the team --------------------------------------------------------------------------------

LEAD = ("wangjianjun", "王建军", "13847201856")
HANDLERS = (
    ("lixiaoyan", "李晓燕", "13904727315"),
    ("zhangwei", "张伟", "15148206637"),
    ("liufang", "刘芳", "18647253190"),
    ("zhaozhigang", "赵志刚", "13514868022"),
    ("yunlijuan", "云丽娟", "15804722961"),
    ("gaohaitao", "高海涛", "18204728845"),
)

TRIBUNALS = (
    ("萨拉齐法庭", "土默特右旗萨拉齐镇新华大街西段", 4),
    ("美岱召法庭", "土默特右旗美岱召镇美岱召村", 5),
    ("沟门法庭", "土默特右旗沟门镇沟门村", 3),
    ("将军尧法庭", "土默特右旗将军尧镇将军尧村", 3),
)
"""Name, address and the index in HANDLERS of the handler who works that tribunal's cases."""

DEPARTMENTS = ("民事审判第一庭", "民事审判第二庭", "民事审判第三庭", "立案庭速裁团队")
JUDGES = ("任志刚", "郝丽萍", "白永胜", "云晓东", "乔宏伟", "贾慧敏", "李国栋", "温晓霞")

# --- names and places ------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = (
    "王王王李李李张张张刘刘陈杨杨赵赵黄周吴徐孙胡朱高高林何郭马马罗梁宋郑谢韩唐冯于董"
    "程曹袁邓许沈彭吕苏卢蒋贾丁魏薛叶阎潘杜戴夏田任姜范石姚谭邹金郝孔白崔康秦史侯孟段"
    "雷乔贺武常云云云乌"
)
MALE_GIVEN = _words(
    "建军 志强 海军 永刚 俊峰 晓东 文斌 国庆 利民 二虎 三明 宏伟 振华 福生 金山 "
    "玉龙 鹏 磊 杰 斌 勇 军 涛 强 浩 小龙 春生 占军 海平 瑞 俊 东升 跃进 "
    "存良 满仓 喜平 "
)
FEMALE_GIVEN = _words(
    "丽 娟 芳 燕 霞 敏 静 秀英 桂兰 玉梅 晓燕 丽娜 美玲 红梅 春花 淑芬 秀兰 "
    "海燕 慧 婷 雪梅 金花 凤英 俊英 润梅 "
)
MONGOLIAN_MALE = ("巴特尔", "额尔敦", "孟和", "朝鲁", "哈斯巴根", "宝音", "毕力格", "图门")
MONGOLIAN_FEMALE = ("苏日娜", "乌日娜", "其其格", "萨仁", "娜仁花", "乌云", "高娃", "托娅")

ID_REGIONS = (
    ("150221", 12),  # 土默特右旗
    ("150222", 2),  # 固阳县
    ("150202", 2),  # 包头市东河区
    ("150203", 2),  # 包头市昆都仑区
    ("150204", 1),  # 包头市青山区
    ("150207", 1),  # 包头市九原区
    ("150121", 1),  # 土默特左旗
    ("150102", 1),  # 呼和浩特市新城区
    ("152801", 1),  # 巴彦淖尔市临河区
    ("142201", 1),  # 山西省忻州市
)
TOWNS = (
    ("萨拉齐镇", ("大雁滩村", "二十四顷地村", "巴图营村", "新河村", "王老大村")),
    ("美岱召镇", ("美岱召村", "沙木佳村", "东老藏营村", "西达赖营村")),
    ("沟门镇", ("沟门村", "北只图村", "西湾村")),
    ("将军尧镇", ("将军尧村", "东河槽村", "张宽营村")),
    ("双龙镇", ("双龙村", "大城西村", "公山湾村")),
    ("海子乡", ("海子村", "张家营子村")),
    ("明沙淖乡", ("明沙淖村", "新营子村")),
    ("苏波盖乡", ("苏波盖村", "三湖湾村")),
)
COMMUNITIES = _words("阳光小区 富民小区 新城花园 滨河小区 金地华府 东河湾小区 敕勒川家园")
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 147 150 "
    "151 152 155 156 158 159 166 177 180 182 183 "
    "185 186 187 188 189 191 198 199 "
)
BANKS = ("中国农业银行土默特右旗支行", "中国建设银行包头土右支行", "内蒙古土默特右旗农村商业银行")


@dataclass(frozen=True)
class Company:
    name: str
    kind: PartyKind
    capital: Decimal | None
    legal_representative: str | None
    address: str
    phone: str
    region: str
    licence: LicenceStatus | None


# name | registered capital (万元, - for a branch) | legal representative | address | phone |
# region of registration | licence status
_COMPANY_TABLE = """
包头市鑫达建筑安装工程有限公司|50|高二虎|土默特右旗萨拉齐镇工业园区|0472-8853126|150221|normal
土默特右旗宏远运输有限责任公司|200|张振华|土默特右旗萨拉齐镇110国道南侧|0472-8812075|150221|revoked
内蒙古绿源农牧业科技有限公司|1000|乌日娜|土默特右旗美岱召镇美岱召村|0472-8867310|150221|normal
包头市恒通商贸有限公司|100|刘宏伟|昆都仑区钢铁大街68号|0472-5126688|150203|normal
土默特右旗金穗粮油购销有限公司|300|杨满仓|土默特右旗将军尧镇将军尧村|0472-8891452|150221|normal
包头市昊天汽车销售服务有限公司|500|赵东升|九原区建华南路18号|0472-6935520|150207|normal
内蒙古塞北星建材有限公司|800|孟和|土默特右旗沟门镇沟门村|0472-8876043|150221|normal
包头市万顺达物流有限公司|150|贺跃进|东河区南门外大街9号|0472-4173362|150202|normal
包头市晟华物业服务有限公司|50|孙丽娜|土默特右旗萨拉齐镇新华大街|0472-8822619|150221|normal
土默特右旗安居物业服务有限公司|30|温俊英|土默特右旗萨拉齐镇工业路|0472-8836270|150221|normal
内蒙古土默特右旗农村商业银行股份有限公司|32000|田建军|土默特右旗萨拉齐镇察素齐街|0472-8812345|150221|normal
中国邮政储蓄银行股份有限公司土默特右旗支行|-|-|土默特右旗萨拉齐镇新华大街|0472-8818860|150221|-
蒙商银行股份有限公司包头土右支行|-|-|土默特右旗萨拉齐镇民族路|0472-8829517|150200|-
"""


def _companies() -> dict[str, Company]:
    found = {}
    for line in _COMPANY_TABLE.strip().splitlines():
        name, capital, legal, address, phone, region, licence = line.split("|")
        branch = capital == "-"
        found[name] = Company(
            name=name,
            kind=PartyKind.OTHER_ORG if branch else PartyKind.LEGAL_PERSON,
            capital=None if branch else Decimal(int(capital) * 10000).quantize(Decimal("0.01")),
            legal_representative=None if legal == "-" else legal,
            address="内蒙古自治区包头市" + address,
            phone=phone,
            region=region,
            licence=None if licence == "-" else LicenceStatus[licence.upper()],
        )
    return found


_ALL_COMPANIES = _companies()
_COMPANY_NAMES = list(_ALL_COMPANIES)
COMPANIES = tuple(_ALL_COMPANIES[n] for n in _COMPANY_NAMES[:8])
HOT_COMPANY = COMPANIES[0]
"""An obligor with many wage and material cases: the docket's example for 执破衔接 review."""
PROPERTY_COMPANIES = tuple(_ALL_COMPANIES[n] for n in _COMPANY_NAMES[8:10])
LENDERS = tuple(_ALL_COMPANIES[n] for n in _COMPANY_NAMES[10:])


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 digits and its check character."""
    body = "".join(str(rng.randrange(10)) for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code_for(name: str, region: str = "150221") -> str:
    """A valid, stable unified social credit code for a demo company (same name, same code)."""
    first17 = "91" + region + _org_code(random.Random(name))
    return first17 + credit_code_check_char(first17)


# --- causes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    name: str
    weight: int
    low: int
    high: int
    livelihood_kind: str | None = None


CAUSES = (
    Cause("民间借贷纠纷", 26, 5_000, 300_000),
    Cause("买卖合同纠纷", 14, 8_000, 260_000),
    Cause("劳务合同纠纷", 8, 3_000, 60_000, "劳务报酬"),
    Cause("机动车交通事故责任纠纷", 8, 10_000, 180_000, "交通事故赔偿"),
    Cause("抚养费纠纷", 5, 6_000, 40_000, "抚养费"),
    Cause("赡养费纠纷", 2, 3_000, 20_000, "赡养费"),
    Cause("离婚纠纷", 6, 10_000, 150_000),
    Cause("物业服务合同纠纷", 7, 1_200, 12_000),
    Cause("金融借款合同纠纷", 9, 20_000, 600_000),
    Cause("追索劳动报酬纠纷", 8, 5_000, 80_000, "追索劳动报酬"),
    Cause("房屋租赁合同纠纷", 4, 3_000, 50_000),
    Cause("提供劳务者受害责任纠纷", 3, 8_000, 120_000, "人身损害赔偿"),
)
CAUSE_BY_NAME = {c.name: c for c in CAUSES}
HOT_CAUSES = ("追索劳动报酬纠纷", "买卖合同纠纷", "劳务合同纠纷")

STATUS_WEIGHTS = (
    (CaseStatus.REGISTERED, 6),
    (CaseStatus.SUPERVISING, 12),
    (CaseStatus.SETTLED, 8),
    (CaseStatus.PERFORMED, 26),
    (CaseStatus.SETTLEMENT_PERFORMED, 10),
    (CaseStatus.FAILED, 6),
    (CaseStatus.TRANSFERRED, 18),
    (CaseStatus.WITHDRAWN, 7),
    (CaseStatus.UNSUITABLE, 4),
)
MONEY_ONLY = frozenset({CaseStatus.SETTLED, CaseStatus.SETTLEMENT_PERFORMED})

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

WITHDRAW_REASONS = (
    "申请人申请撤回：双方已自行协商达成还款安排",
    "申请人申请撤回：被申请人已直接向申请人履行部分义务，余款双方自行协商",
    "申请人表示不再通过督促程序处理，拟直接申请强制执行",
)
UNSUITABLE_REASONS = (
    "被申请人下落不明，经村委会核实已长期外出，不宜督促，告知申请人可申请强制执行",
    "被申请人正在服刑，无履行能力，不宜督促",
    "被申请人已被其他法院纳入失信被执行人名单且无财产可供执行，不宜督促",
    "被申请人公司营业执照已被吊销，无人员可联系，不宜督促",
)
TRANSFER_REASON = "督促期满被申请人未履行，经申请人同意移送执行立案"
FAILED_NOTE = "督促期满被申请人仍未履行，待申请人确认后移送执行立案"


# --- the report ------------------------------------------------------------------------------


@dataclass
class DemoReport:
    cases: int = 0
    case_numbers: list[str] = field(default_factory=list)
    by_status: Counter[CaseStatus] = field(default_factory=Counter)
    users_created: int = 0
    tribunals_created: int = 0
    contact_logs: int = 0
    payments: int = 0
    settlements: int = 0
    installments: int = 0
    preservations: int = 0

    @property
    def first_case_no(self) -> str | None:
        return self.case_numbers[0] if self.case_numbers else None

    @property
    def last_case_no(self) -> str | None:
        return self.case_numbers[-1] if self.case_numbers else None


# --- planning (pure: only the seed and the holiday calendar decide it) ------------------------


@dataclass
class _Person:
    name: str
    male: bool
    id_number: str
    phone: str
    address: str
    town: str
    village: str


@dataclass
class _Plan:
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

    def person(self, *, age: tuple[int, int] = (22, 68), male: bool | None = None) -> _Person:
        rng = self.rng
        male = rng.random() < 0.62 if male is None else male
        years = rng.randint(*age)
        birth = self.today - timedelta(days=years * 365 + rng.randrange(365))
        addr, town, village = self.address()
        return _Person(
            self.name(male), male, self.resident_id(birth, male), self.mobile(), addr, town, village
        )

    def person_party(
        self, role: PartyRole, p: _Person, *, second_phone: bool = False
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
    def plan(self, index: int, status: CaseStatus) -> _Plan:
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
        return _Plan(
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
) -> list[_Plan]:
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


# --- writing ---------------------------------------------------------------------------------


class _CaseWriter:
    """Creates one case's supervision record: calls, visits, payments, settlement, freezes."""

    def __init__(
        self,
        session: Session,
        case: SupervisionCase,
        plan: _Plan,
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
        share = _hundreds(total / parts) if total >= parts * 100 else total / parts
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
        down = _hundreds(due * Decimal(rng.choice(("0.2", "0.3", "0.4"))))
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
            frozen = min(_years_before(expires, years) + timedelta(days=1), effective)
        expires = _years_after(frozen, years) - timedelta(days=1)
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
            text = f"查封被申请人{self.obligor.name}名下{_plate(rng)}号小型轿车一辆（未扣押）"
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


def _hundreds(amount: Decimal) -> Decimal:
    """Rounded down to whole hundreds of yuan, as instalments are agreed, kept with two decimals."""
    return (amount // 100 * 100).quantize(Decimal("0.01"))


def _years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _years_before(d: date, years: int) -> date:
    return _years_after(d, -years)


def _plate(rng: random.Random) -> str:
    return "蒙B·" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))


# --- the use case ----------------------------------------------------------------------------


def _team(session: Session, report: DemoReport) -> tuple[User, list[User], list[Tribunal]]:
    """The demo team and tribunals, created once and reused by later runs."""

    def user(username: str, name: str, phone: str, role: Role) -> User:
        found = session.scalars(select(User).where(User.username == username)).first()
        if found is not None:
            return found
        report.users_created += 1
        return create_user(
            session, SYSTEM, username=username, display_name=name, role=role, phone=phone
        )

    lead = user(*LEAD, Role.LEAD)
    handlers = [user(u, n, p, Role.HANDLER) for u, n, p in HANDLERS]
    tribunals = []
    for name, address, _ in TRIBUNALS:
        found = session.scalars(select(Tribunal).where(Tribunal.name == name)).first()
        if found is None:
            found = docket.add_tribunal(session, SYSTEM, name, address)
            report.tribunals_created += 1
        tribunals.append(found)
    return lead, handlers, tribunals


def _free_original_no(session: Session, plan: _Plan, court_code: str) -> str:
    court = court_code[:3] if plan.original_kind == "民终" and len(court_code) > 3 else court_code
    seq = plan.original_seq
    while True:
        number = f"（{plan.original_year}）{court}{plan.original_kind}{seq}号"
        taken = session.scalar(
            select(SupervisionCase.id).where(SupervisionCase.original_case_no == number).limit(1)
        )
        if taken is None:
            return number
        seq += 1


def generate_demo(
    db: Database,
    *,
    cases: int = 300,
    seed: int = 1,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Add `cases` realistic cases (with users, tribunals and records) to an initialised database."""
    if cases < 0:
        from zhiqian_desktop.domain.errors import UserError

        raise UserError(f"演示案件数“{cases}”不正确；应为不小于0的整数")
    report = DemoReport()
    with db.unit_of_work() as session:
        settings = get_settings(session)
        court_code = settings.court_code
        limit_days = settings.supervision_limit_days
        cal = load_calendar(session)
        lead, handlers, tribunals = _team(session, report)
        lead_actor: Actor = actor_for(lead)
        handler_ids = [h.id for h in handlers]
        tribunal_ids = [t.id for t in tribunals]
    plans = plan_cases(seed, cases, today, cal, court_code)
    for start in range(0, len(plans), BATCH):
        batch: Sequence[_Plan] = plans[start : start + BATCH]
        with db.unit_of_work() as session:
            by_id = {u.id: u for u in session.scalars(select(User).where(User.id.in_(handler_ids)))}
            numbers = []
            for plan in batch:
                plan.data.original_case_no = _free_original_no(session, plan, court_code)
                plan.data.handler_id = handler_ids[plan.handler]
                plan.data.tribunal_id = (
                    tribunal_ids[plan.tribunal] if plan.tribunal is not None else None
                )
                case = docket.register_case(session, lead_actor, plan.data, today=today)
                _write_records(
                    session,
                    case,
                    plan,
                    by_id[handler_ids[plan.handler]],
                    today,
                    cal,
                    limit_days,
                    report,
                )
                numbers.append(case.case_no)
        report.case_numbers.extend(numbers)
        if progress is not None:
            progress(min(start + BATCH, len(plans)), len(plans))
    report.cases = len(report.case_numbers)
    return report


def _write_records(
    session: Session,
    case: SupervisionCase,
    plan: _Plan,
    handler: User,
    today: date,
    cal: HolidayCalendar,
    limit_days: int,
    report: DemoReport,
) -> None:
    writer = _CaseWriter(session, case, plan, handler, today, cal)
    writer.write()
    for _, record in writer.records:
        session.add(record)
    session.flush()
    for entity, record in writer.records:
        after = audit.snapshot(record)
        if isinstance(record, Settlement):
            after["installments"] = [audit.snapshot(i) for i in record.installments]
        audit.record_event(
            session, writer.actor, "create", entity, after["id"], case_id=case.id, after=after
        )
        if isinstance(record, ContactLog):
            report.contact_logs += 1
        elif isinstance(record, Payment):
            report.payments += 1
        elif isinstance(record, Settlement):
            report.settlements += 1
            report.installments += len(record.installments)
        elif isinstance(record, Preservation):
            report.preservations += 1
    before = _snapshot(case)
    case.status = plan.status
    case.updated_by = handler.username
    with session.no_autoflush:
        docket.refresh_derived(session, case, limit_days=limit_days)
    session.flush()
    after = _snapshot(case)
    if after != before:
        audit.record_event(
            session,
            writer.actor,
            "update",
            "case",
            case.id,
            case_id=case.id,
            before=before,
            after=after,
        )
    report.by_status[plan.status] += 1


def _snapshot(case: SupervisionCase) -> dict[str, Any]:
    snap = audit.snapshot(case)
    snap.pop("version", None)
    return snap
