"""Who and what the demo data is made of: the team, tribunals and judges of a county court in Inner
Mongolia, Han and Mongolian names, villages and streets, companies with valid credit codes, and
the causes of action with their usual amounts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal

from zhiqian_desktop.domain.identity import credit_code_check_char
from zhiqian_desktop.domain.kinds import (
    LicenceStatus,
    PartyKind,
)
from zhiqian_desktop.domain.workflow import CaseStatus

BEIJING = timezone(timedelta(hours=8), "CST")

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

TRIBUNAL_AREAS = {
    "萨拉齐法庭": "萨拉齐镇、双龙镇",
    "美岱召法庭": "美岱召镇、明沙淖乡",
    "沟门法庭": "沟门镇、苏波盖乡",
    "将军尧法庭": "将军尧镇",
}
"""The townships of each tribunal's area (分案 by area). 海子乡 is in none, so a case there is
left for the lead to assign by hand; 将军尧法庭 shares its handler with 沟门法庭, who belongs to
沟门法庭, so the rule by area says it has no handler of its own."""

MEDIATORS = (
    ("土默特右旗人民调解委员会", "committee", "土默特右旗司法局", "0472-8812348"),
    ("萨拉齐镇人民调解委员会", "committee", "萨拉齐镇司法所", "0472-8822017"),
    ("乔玉兰", "invited", "土默特右旗人民法院特邀调解员", "13847219056"),
    ("贺建国律师", "lawyer", "内蒙古蒙正律师事务所", "15248217730"),
)
"""The court's list of mediators: name, kind, organisation, phone (委托调解)."""

DEMO_CAUSE_HANDLERS = (("劳务合同纠纷", 2), ("追索劳动报酬纠纷", 2), ("抚养费纠纷", 0))
"""分案 by cause: a cause and the index in HANDLERS of its handler."""

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
