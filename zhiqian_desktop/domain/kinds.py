"""The fixed vocabularies of the docket: codes stored in the database, Chinese labels shown."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry the Chinese label a clerk sees."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def from_label(cls, label: str) -> LabelledEnum:
        for member in cls:
            if member.label == label or member.value == label:
                return member
        raise ValueError(label)


class Role(LabelledEnum):
    ADMIN = "admin", "管理员"
    LEAD = "lead", "团队负责人"
    HANDLER = "handler", "承办人"
    READONLY = "readonly", "只读"


class CaseSource(LabelledEnum):
    HANDOVER = "handover", "审判庭移交"
    APPLICATION = "application", "申请人同意督促"


class PartyRole(LabelledEnum):
    APPLICANT = "applicant", "申请人"
    OBLIGOR = "obligor", "被申请人"
    THIRD = "third", "第三人"


class PartyKind(LabelledEnum):
    PERSON = "person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORG = "other_org", "非法人组织"


class LicenceStatus(LabelledEnum):
    NORMAL = "normal", "存续"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "注销"


class ContactKind(LabelledEnum):
    PHONE = "phone", "电话督促"
    VISIT = "visit", "上门约谈"
    INTERVIEW = "interview", "来院约谈"
    MESSAGE = "message", "短信/微信"
    ASSISTED = "assisted", "协助联系"
    APPLICANT_NOTICE = "applicant_notice", "执行信息回告"
    REMINDER = "reminder", "履行提醒短信"


MESSAGE_LOGS = frozenset({ContactKind.APPLICANT_NOTICE, ContactKind.REMINDER})
"""Log entries that record a message the court sent (回告, 履行提醒): not a contact in which the
obligor answered, so neither carries nor hides a promise or an agreed follow-up."""


class PaymentMethod(LabelledEnum):
    TO_APPLICANT = "to_applicant", "直接支付申请人"
    COURT_ACCOUNT = "court_account", "交付法院账户"
    TRANSFER = "transfer", "转账"


class ServiceMethod(LabelledEnum):
    DIRECT = "direct", "直接送达"
    SUBSTITUTE = "substitute", "代收（同住成年家属）"
    LEAVING = "leaving", "留置送达"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"
    GRID = "grid", "网格员/村委会协助送达"
    PUBLIC_NOTICE = "public_notice", "公告送达"


class PreservationKind(LabelledEnum):
    BANK_DEPOSIT = "bank_deposit", "银行存款"
    MOVABLE = "movable", "动产"
    REAL_PROPERTY = "real_property", "不动产"
    OTHER = "other", "其他财产权"


class PreservationMeasure(LabelledEnum):
    """How property is preserved (民事诉讼法第一百零六条): 查封, 扣押 or 冻结."""

    SEAL = "seal", "查封"
    DETAIN = "detain", "扣押"
    FREEZE = "freeze", "冻结"


class ReleaseReason(LabelledEnum):
    """Why a preservation measure was released (解除保全)."""

    PERFORMED = "performed", "被申请人已履行"
    SETTLED = "settled", "当事人达成和解"
    SECURITY = "security", "被申请人提供担保"
    WITHDRAWN = "withdrawn", "申请人申请解除"
    NO_ENFORCEMENT = "no_enforcement", "履行期间届满后五日内未申请执行"
    OTHER = "other", "其他"


class DocumentKind(LabelledEnum):
    URGING = "urging", "自动履行催告书"
    SUPERVISION_NOTICE = "supervision_notice", "督促履行通知书"
    RISK_NOTICE = "risk_notice", "执行风险提示书"
    PRE_FINE = "pre_fine", "预罚款通知书"
    PRE_DETENTION = "pre_detention", "预拘留通知书"
    PRE_DISHONEST = "pre_dishonest", "预失信通知书"
    PRE_CONSUMPTION_LIMIT = "pre_consumption_limit", "预限高通知书"
    PRE_CRIMINAL = "pre_criminal", "预移送追究拒执罪通知书"
    PERFORMANCE_CERTIFICATE = "performance_certificate", "自动履行证明书"
    SETTLEMENT_AGREEMENT = "settlement_agreement", "和解协议"
    INTERVIEW_RECORD = "interview_record", "约谈笔录"
    SERVICE_RECEIPT = "service_receipt", "送达回证"
    BANKRUPTCY_NOTICE = "bankruptcy_notice", "申请破产审查告知书"
    TRANSFER_LETTER = "transfer_letter", "移送执行函"
    MEDIATION_LETTER = "mediation_letter", "委托调解函"
    PRESERVATION_RULING = "preservation_ruling", "财产保全裁定书"
    ASSISTANCE_NOTICE = "assistance_notice", "协助执行通知书"
    RELEASE_RULING = "release_ruling", "解除保全裁定书"
    RELEASE_NOTICE = "release_notice", "协助执行通知书（解除保全）"


class SettlementStatus(LabelledEnum):
    ACTIVE = "active", "履行中"
    PERFORMED = "performed", "已履行完毕"
    DEFAULTED = "defaulted", "已违约"


class AssignmentRule(LabelledEnum):
    """How new cases are proposed to handlers (设置 → 分案; domain/assignment.py)."""

    AREA = "area", "按法庭辖区"
    CAUSE = "cause", "按案由"
    ROUND_ROBIN = "round_robin", "轮流分案"
    BALANCED = "balanced", "按在办案件数均衡"


class MediatorKind(LabelledEnum):
    """Who a case is entrusted to for mediation (委托调解; domain/mediation.py)."""

    INVITED = "invited", "特邀调解员"
    COMMITTEE = "committee", "人民调解委员会"
    LAWYER = "lawyer", "律师调解"
    OTHER = "other", "其他调解组织"


class MediationResult(LabelledEnum):
    SETTLED = "settled", "调解成功"
    FAILED = "failed", "调解不成"
    WITHDRAWN = "withdrawn", "撤回委托"


class RecipientKind(LabelledEnum):
    """Who a judicial suggestion (司法建议) is addressed to (domain/suggestions.py)."""

    INSURER = "insurer", "保险机构"
    LENDER = "lender", "金融借贷机构"
    REGULATOR = "regulator", "金融监管部门"
    GOVERNMENT = "government", "政府职能部门"
    OTHER = "other", "其他单位"


class SuggestionStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已签发"
    SENT = "sent", "已发出"
    REPLIED = "replied", "已回复"
    CANCELLED = "cancelled", "已作废"


class SuggestionGrouping(LabelledEnum):
    """What the cases a suggestion rests on have in common."""

    OBLIGOR = "obligor", "同一被申请人"
    CAUSE = "cause", "同一案由"
    SELECTED = "selected", "选定案件"


class MessageKind(LabelledEnum):
    """A text message in the outbox (domain/messages.py)."""

    PROGRESS = "progress", "进展回告"
    REMINDER = "reminder", "履行提醒"


class MessageStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已审核"
    EXPORTED = "exported", "已导出"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    DISCARDED = "discarded", "已作废"
