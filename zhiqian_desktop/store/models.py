"""The data model of the supervision docket as SQLAlchemy 2.x typed mappings (docs/architecture.md,
"The data").

Every mergeable record has a UUID key, timestamps, the user who last changed it, a version counter
used for optimistic locking (a stale edit is refused, never lost) and a soft-deletion mark, so that
offline copies can be merged back by id and version.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from zhiqian_desktop.domain.kinds import (
    AssignmentRule,
    CaseSource,
    ContactKind,
    DocumentKind,
    LicenceStatus,
    MediationResult,
    MediatorKind,
    MessageKind,
    MessageStatus,
    PartyKind,
    PartyRole,
    PaymentMethod,
    PreservationKind,
    PreservationMeasure,
    RecipientKind,
    ReleaseReason,
    Role,
    ServiceMethod,
    SettlementStatus,
    SuggestionGrouping,
    SuggestionStatus,
)
from zhiqian_desktop.domain.workflow import CaseStatus
from zhiqian_desktop.store.types import AwareDateTime, CodeEnum, Money, new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Record:
    """Columns shared by every mergeable record."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it per class


class CourtSettings(Base, Record):
    """The one row of court-wide settings."""

    __tablename__ = "court_settings"

    court_name: Mapped[str] = mapped_column(String(100))
    court_code: Mapped[str] = mapped_column(String(16))
    case_word: Mapped[str] = mapped_column(String(16), default="执前督")
    urging_days: Mapped[int] = mapped_column(Integer, default=15)
    supervision_limit_days: Mapped[int] = mapped_column(Integer, default=30)
    unserved_flag_days: Mapped[int] = mapped_column(Integer, default=7)
    backup_interval_hours: Mapped[int] = mapped_column(Integer, default=4)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=15)
    print_font_body: Mapped[str | None] = mapped_column(String(500))
    print_font_title: Mapped[str | None] = mapped_column(String(500))
    ui_font: Mapped[str | None] = mapped_column(String(500))
    court_account: Mapped[str | None] = mapped_column(String(200))
    court_address: Mapped[str | None] = mapped_column(String(200))
    court_phone: Mapped[str | None] = mapped_column(String(50))
    time_zone: Mapped[str] = mapped_column(
        String(64), default="Asia/Shanghai", server_default="Asia/Shanghai"
    )
    # 分案 (domain/assignment.py): the rule new cases are proposed by, and for the rule by cause
    # the handlers of each cause as JSON {"案由": [user id, …]}.
    assignment_rule: Mapped[AssignmentRule] = mapped_column(
        CodeEnum(AssignmentRule), default=AssignmentRule.BALANCED
    )
    assignment_causes: Mapped[str | None] = mapped_column(Text)
    # 司法建议 (domain/suggestions.py): the reply period the court sets, in months, and how many
    # cases sharing an obligor or a cause make a group worth a suggestion.
    suggestion_reply_months: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    suggestion_threshold: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # How many days before an instalment or a promised payment its reminder is drafted.
    reminder_lead_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")


class User(Base, Record):
    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(CodeEnum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime())
    phone: Mapped[str | None] = mapped_column(String(32))
    # The tribunal whose area the handler works: the rule by area proposes its cases to him. A
    # plain id (the services check it; tribunals are never removed): a foreign key here would
    # make SQLite copy the users' table, which every record refers to, to add or drop it.
    tribunal_id: Mapped[str | None] = mapped_column(String(36))


class Tribunal(Base, Record):
    """A trial team or township tribunal (派出法庭) that cases are assigned to."""

    __tablename__ = "tribunal"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    # The townships (乡镇、街道) of its area, separated by 、: an obligor living in one of them
    # belongs to this tribunal under the rule by area.
    townships: Mapped[str | None] = mapped_column(Text)


class CaseNumberCounter(Base):
    """The highest sequence ever issued per year; it only grows, so numbers are never reused."""

    __tablename__ = "case_number_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class CaseNumberBlock(Base, Record):
    """A block of sequence numbers reserved for an offline kit; never handed out twice."""

    __tablename__ = "case_number_block"

    year: Mapped[int] = mapped_column(Integer)
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(100))
    tribunal_id: Mapped[str | None] = mapped_column(ForeignKey("tribunal.id"))


class SupervisionCase(Base, Record):
    __tablename__ = "supervision_case"
    __table_args__ = (
        UniqueConstraint("case_year", "case_seq", name="uq_supervision_case_year_seq"),
        Index("ix_case_status_handler", "status", "handler_id"),
        Index("ix_case_received", "received_date"),
        # The docket sorted by 下次到期 ties by case number: the first page in index order.
        Index("ix_case_next_due", "next_due_date", "case_year", "case_seq"),
        # Quick search is a substring match, so no index can seek it; this narrow covering index
        # lets the count (and the row-count of the unfiltered docket) scan ~15 MB instead of
        # the whole table on 100,000 cases (see bench/README.md).
        Index("ix_case_search_text", "search_text", "deleted_at"),
        # The statistics' flow of cases (open at each month's end, closed in it) reads only these.
        Index("ix_case_closed", "closed_date", "received_date", "deleted_at"),
        # The few deleted cases, whose payments the statistics leave out (normally empty). On a
        # server too it holds only them (postgresql_where in migration 0017): a postgresql_
        # option here would load SQLAlchemy's PostgreSQL dialect into every process (45 ms).
        Index("ix_case_deleted", "id", sqlite_where=text("deleted_at IS NOT NULL")),
    )

    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    case_year: Mapped[int] = mapped_column(Integer)
    case_seq: Mapped[int] = mapped_column(Integer)
    source: Mapped[CaseSource] = mapped_column(CodeEnum(CaseSource), default=CaseSource.HANDOVER)
    original_case_no: Mapped[str] = mapped_column(String(64), index=True)
    original_doc_type: Mapped[str] = mapped_column(String(16), default="判决书")
    cause: Mapped[str] = mapped_column(String(64))
    effective_date: Mapped[date | None] = mapped_column(Date)
    performance_deadline: Mapped[date | None] = mapped_column(Date)
    # The last installment's due date when the effective document itself sets installments: the
    # art. 250 two-year limit runs from it (domain/dues.py), not from the team's own settlement.
    final_installment_date: Mapped[date | None] = mapped_column(Date)
    # The day the applicant's 申请执行书 was received: without it an ordinary money judgment or a
    # 调解书 cannot be transferred to enforcement (domain/issuing.py, transfer_ground).
    application_received_on: Mapped[date | None] = mapped_column(Date)
    # The day the non-money obligation was confirmed performed (recorded when the case is closed
    # as 自动履行完毕); the performance certificate may certify only what is recorded.
    act_performed_on: Mapped[date | None] = mapped_column(Date)
    department: Mapped[str | None] = mapped_column(String(64))
    trial_judge: Mapped[str | None] = mapped_column(String(32))
    amount_due: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    obligation_act: Mapped[str | None] = mapped_column(Text)
    livelihood: Mapped[bool] = mapped_column(Boolean, default=False)
    livelihood_kind: Mapped[str | None] = mapped_column(String(32))
    handler_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    tribunal_id: Mapped[str | None] = mapped_column(ForeignKey("tribunal.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(CodeEnum(CaseStatus), default=CaseStatus.REGISTERED)
    received_date: Mapped[date] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Kept by the services on every change so the docket can sort and filter 100,000 rows in SQL.
    amount_paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    next_due_date: Mapped[date | None] = mapped_column(Date)
    obligor_names: Mapped[str] = mapped_column(String(500), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")

    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    tribunal: Mapped[Tribunal | None] = relationship()
    # Soft-deleted parties stay in the table (for merging and the audit trail) but not here.
    parties: Mapped[list[Party]] = relationship(
        back_populates="case",
        primaryjoin="and_(Party.case_id == SupervisionCase.id, Party.deleted_at.is_(None))",
        order_by="Party.position",
        cascade="all, delete-orphan",
    )


class Party(Base, Record):
    __tablename__ = "party"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[PartyRole] = mapped_column(CodeEnum(PartyRole))
    kind: Mapped[PartyKind] = mapped_column(CodeEnum(PartyKind), default=PartyKind.PERSON)
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(32), index=True)
    phones: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    registered_capital: Mapped[Decimal | None] = mapped_column(Money())
    licence_status: Mapped[LicenceStatus | None] = mapped_column(CodeEnum(LicenceStatus))

    case: Mapped[SupervisionCase] = relationship(back_populates="parties")


class ContactLog(Base, Record):
    """One call, visit or message; append-only — a correction is a new entry pointing back."""

    __tablename__ = "contact_log"
    __table_args__ = (Index("ix_contact_case_time", "case_id", "contacted_at"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"))
    kind: Mapped[ContactKind] = mapped_column(CodeEnum(ContactKind))
    contacted_at: Mapped[datetime] = mapped_column(AwareDateTime())
    handler_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    number_or_place: Mapped[str | None] = mapped_column(String(200))
    reached: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    promise_amount: Mapped[Decimal | None] = mapped_column(Money())
    promise_date: Mapped[date | None] = mapped_column(Date)
    next_follow_up: Mapped[date | None] = mapped_column(Date, index=True)
    others_present: Mapped[str | None] = mapped_column(String(200))
    # Indexed: the due list asks "is this entry corrected?" for every latest contact.
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("contact_log.id"), index=True)


class Document(Base, Record):
    """A document issued for a case: its number, the data it was made from and the PDF."""

    __tablename__ = "document"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(CodeEnum(DocumentKind))
    doc_no: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(AwareDateTime())
    issued_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


class Service(Base, Record):
    """How and when a document was served (送达); the service date drives the urging period."""

    __tablename__ = "service"

    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), index=True)
    # The addressee served (one record per addressee, as one 送达回证 each). None on a record
    # made before receipts were per addressee: it served the document as a whole.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"))
    method: Mapped[ServiceMethod] = mapped_column(CodeEnum(ServiceMethod))
    served_on: Mapped[date] = mapped_column(Date)
    server: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    substitute_reason: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    # 留置送达 (Civil Procedure Law art. 89): a witness who signed, or the process recorded by
    # photograph or video at the residence; one of the two must be recorded.
    witness: Mapped[str | None] = mapped_column(String(200))
    process_recorded: Mapped[bool] = mapped_column(Boolean, default=False)


class Payment(Base, Record):
    __tablename__ = "payment"
    # The money received in a period, by month, read from the index alone.
    __table_args__ = (Index("ix_payment_paid_on", "paid_on", "deleted_at", "amount", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[PaymentMethod] = mapped_column(CodeEnum(PaymentMethod))
    payer: Mapped[str | None] = mapped_column(String(200))
    overpayment_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Settlement(Base, Record):
    __tablename__ = "settlement"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    terms: Mapped[str] = mapped_column(Text, default="")
    default_clause: Mapped[str | None] = mapped_column(Text)
    guarantee: Mapped[str | None] = mapped_column(Text)
    total_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    status: Mapped[SettlementStatus] = mapped_column(
        CodeEnum(SettlementStatus), default=SettlementStatus.ACTIVE
    )

    installments: Mapped[list[Installment]] = relationship(
        back_populates="settlement", order_by="Installment.seq", cascade="all, delete-orphan"
    )


class Installment(Base, Record):
    __tablename__ = "installment"

    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlement.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money())

    settlement: Mapped[Settlement] = relationship(back_populates="installments")


class PreservationApplication(Base, Record):
    """执行前保全: the applicant's application and the ruling on it (财产保全裁定书), numbered
    after the case with 之一, 之二 … (``ruling_seq``, never reused)."""

    __tablename__ = "preservation_application"
    __table_args__ = (UniqueConstraint("case_id", "ruling_seq", name="uq_preservation_ruling"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    applicant_id: Mapped[str] = mapped_column(ForeignKey("party.id"))
    applied_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    clues: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    ruling_seq: Mapped[int | None] = mapped_column(Integer)
    ruling_no: Mapped[str | None] = mapped_column(String(80))
    ruled_on: Mapped[date | None] = mapped_column(Date)
    ruled_amount: Mapped[Decimal | None] = mapped_column(Money())
    judge: Mapped[str | None] = mapped_column(String(50))


class Preservation(Base, Record):
    """A freeze or seizure (保全) with the date it lapses: one already in place when the case
    came, or a measure taken under a pre-enforcement ruling (``application_id``), and its release."""

    __tablename__ = "preservation"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    kind: Mapped[PreservationKind] = mapped_column(CodeEnum(PreservationKind))
    description: Mapped[str] = mapped_column(Text)
    frozen_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("preservation_application.id"), index=True
    )
    measure: Mapped[PreservationMeasure | None] = mapped_column(CodeEnum(PreservationMeasure))
    holder: Mapped[str | None] = mapped_column(String(200))
    released_on: Mapped[date | None] = mapped_column(Date)
    release_reason: Mapped[ReleaseReason | None] = mapped_column(CodeEnum(ReleaseReason))
    release_note: Mapped[str | None] = mapped_column(Text)


class Mediator(Base, Record):
    """A mediator or mediation body cases are entrusted to (特邀调解员, 人民调解委员会, a lawyer),
    kept in a list like the tribunals."""

    __tablename__ = "mediator"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[MediatorKind] = mapped_column(CodeEnum(MediatorKind))
    organisation: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Mediation(Base, Record):
    """A case entrusted to a mediator for a period (委托调解), and how it ended."""

    __tablename__ = "mediation"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    mediator_id: Mapped[str] = mapped_column(ForeignKey("mediator.id"), index=True)
    entrusted_on: Mapped[date] = mapped_column(Date)
    period_days: Mapped[int] = mapped_column(Integer)
    # The last day of the period (art. 85 reckoning with the holiday table), fixed when entrusted.
    ends_on: Mapped[date] = mapped_column(Date)
    matters: Mapped[str | None] = mapped_column(Text)
    result: Mapped[MediationResult | None] = mapped_column(CodeEnum(MediationResult))
    result_on: Mapped[date | None] = mapped_column(Date)
    result_note: Mapped[str | None] = mapped_column(Text)


class Suggestion(Base, Record):
    """A judicial suggestion (司法建议书) to an insurer, lender, regulator or department, drafted
    from cases that share an obligor or a cause, and its reply. Numbered when signed; a number
    is never given twice (unique, and the app deletes no suggestion)."""

    __tablename__ = "suggestion"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_suggestion_year_seq"),)

    status: Mapped[SuggestionStatus] = mapped_column(CodeEnum(SuggestionStatus))
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    doc_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    recipient: Mapped[str] = mapped_column(String(100))
    recipient_kind: Mapped[RecipientKind] = mapped_column(CodeEnum(RecipientKind))
    grouping: Mapped[SuggestionGrouping] = mapped_column(CodeEnum(SuggestionGrouping))
    group_key: Mapped[str | None] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text)
    drafted_on: Mapped[date] = mapped_column(Date)
    drafted_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"))
    sent_on: Mapped[date | None] = mapped_column(Date)
    reply_months: Mapped[int | None] = mapped_column(Integer)
    # The reply period's last day (art. 85 reckoning from the day sent), fixed when sent.
    reply_due: Mapped[date | None] = mapped_column(Date, index=True)
    replied_on: Mapped[date | None] = mapped_column(Date)
    reply_summary: Mapped[str | None] = mapped_column(Text)


class SuggestionCase(Base, Record):
    """One case a suggestion rests on."""

    __tablename__ = "suggestion_case"
    __table_args__ = (UniqueConstraint("suggestion_id", "case_id", name="uq_suggestion_case"),)

    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestion.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)


class OutboxMessage(Base, Record):
    """A text message to a party in the outbox (短信发件箱): drafted, approved by the handler,
    exported for the court's SMS platform and marked sent or failed from its result file."""

    __tablename__ = "outbox_message"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"))
    kind: Mapped[MessageKind] = mapped_column(CodeEnum(MessageKind))
    phone: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    for_date: Mapped[date] = mapped_column(Date)
    # Which payment a reminder is for (domain/messages.ReminderDue.source): drafted once.
    reminder_of: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[MessageStatus] = mapped_column(CodeEnum(MessageStatus), index=True)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    batch: Mapped[str | None] = mapped_column(String(16), index=True)
    ref: Mapped[str | None] = mapped_column(String(24), unique=True)
    exported_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    result_note: Mapped[str | None] = mapped_column(Text)
    result_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    contact_log_id: Mapped[str | None] = mapped_column(ForeignKey("contact_log.id"))


class Attachment(Base, Record):
    """A file kept for a case; the content lives once in the store under its SHA-256."""

    __tablename__ = "attachment"

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    owner_kind: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """Append-only change log; each event's hash covers the previous one (a hash chain)."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(64), default="court")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DueEntry(Base):
    """One pending deadline of an open case, as the due-list rules (domain/dues.py) compute it.

    Derived data, never edited: services/supervision/due_items.py rewrites a case's rows in the same
    transaction as every change to the case or its records, and all rows when the holiday table
    or the period settings change, so the due-list for a date is one read of this small table
    (``shows_from <= date``) instead of the rules run over every open case. Closed and deleted
    cases have no rows. The case's columns the list shows or filters on are copied here, so the
    read joins nothing; a change to any of them is a change to the case, which rewrites its rows.
    """

    __tablename__ = "due_item"
    __table_args__ = (
        Index("ix_due_item_shows_from", "shows_from"),
        # Stored in key order (case, rules' order), the order the list is read in.
        {"sqlite_with_rowid": False},
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_case.id"), primary_key=True)
    # The rules' own order within the case, which breaks ties in the list's sort order.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    due_date: Mapped[date] = mapped_column(Date)
    # The first day the item is on the list (due date less the kind's warning days).
    shows_from: Mapped[date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text)
    calendar_complete: Mapped[bool] = mapped_column(Boolean)
    rolled_from: Mapped[date | None] = mapped_column(Date)
    livelihood: Mapped[bool] = mapped_column(Boolean)
    case_no: Mapped[str] = mapped_column(String(64))
    obligor_names: Mapped[str] = mapped_column(String(500))
    handler_id: Mapped[str | None] = mapped_column(String(36))
    tribunal_id: Mapped[str | None] = mapped_column(String(36))


class HolidayDay(Base):
    """One official rest day on a weekday, or one adjusted working day on a weekend."""

    __tablename__ = "holiday_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "holiday" or "workday"
    name: Mapped[str | None] = mapped_column(String(32))


class CalendarYear(Base):
    """A year for which the holiday table is complete; deadlines in other years are flagged."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    entered_by: Mapped[str | None] = mapped_column(String(64))


# --- offline kits and merging changes back (services/exchange/kits.py, docs/offline-kit.md) ---------------


class OfflineKit(Base):
    """An offline kit. At the court: one row per kit issued (role "court"). In a kit database:
    the one row (role "laptop") that makes it a kit — case numbers then come from its block only."""

    __tablename__ = "offline_kit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    role: Mapped[str] = mapped_column(String(8))
    court_id: Mapped[str] = mapped_column(String(36))
    origin: Mapped[str] = mapped_column(String(64))
    tribunal_id: Mapped[str | None] = mapped_column(String(36))
    handler_id: Mapped[str | None] = mapped_column(String(36))
    year: Mapped[int] = mapped_column(Integer)
    block_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    base_audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The kit's own Ed25519 public key (hex), made at export: only change packages signed with
    # its private key, which travels in the kit alone, are taken in (None: a kit of an earlier
    # version, signed with the court's key).
    public_key: Mapped[str | None] = mapped_column(String(64))
    # What the kit may change, fixed at export: {"cases": [case ids], "users": {id: username}}.
    scope_json: Mapped[str | None] = mapped_column(Text)


class ChangeImport(Base):
    """One change package imported at the court (a second import of it changes nothing)."""

    __tablename__ = "change_import"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kit_id: Mapped[str] = mapped_column(String(36), index=True)
    package_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
    summary_json: Mapped[str] = mapped_column(Text, default="{}")


class KitRecordState(Base):
    """Per kit and record, the values both sides agreed on at the last merge: a later package
    from the same kit is compared with these instead of the kit's original values."""

    __tablename__ = "kit_record_state"

    kit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tribunal_version: Mapped[int] = mapped_column(Integer)
    tribunal_json: Mapped[str] = mapped_column(Text)
    court_json: Mapped[str] = mapped_column(Text)


class MergeConflict(Base):
    """A record changed both at the court and on the tribunal's laptop since the kit was made;
    kept until a person chooses, field by field, which value stands (never resolved silently)."""

    __tablename__ = "merge_conflict"
    __table_args__ = (Index("ix_merge_conflict_status", "status", "kit_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kit_id: Mapped[str] = mapped_column(String(36))
    import_id: Mapped[str] = mapped_column(String(36))
    origin: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36))
    fields_json: Mapped[str] = mapped_column(Text)
    base_json: Mapped[str] = mapped_column(Text)
    court_json: Mapped[str] = mapped_column(Text)
    tribunal_json: Mapped[str] = mapped_column(Text)
    tribunal_version: Mapped[int] = mapped_column(Integer)
    tribunal_updated_by: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    choices_json: Mapped[str | None] = mapped_column(Text)


# --- contents kept in the database itself (store/files.py) ---------------------------------------


class StoredFile(Base):
    """The content of an attachment or issued PDF, once per SHA-256, for a database that keeps its
    files inside itself (a court server, an encrypted file). Never changed once written."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class CourtSecret(Base):
    """A secret of the court kept in the database, for a database with no folder beside it
    (services/core/auth.py: the key that signs ZHIQIAN_TOKEN tokens on a court server)."""

    __tablename__ = "court_secret"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class CourtTemplate(Base):
    """The court's own wording of one document (设置 → 文书模板), shared by every desk of the
    database; a document without a row here is printed from the shipped template."""

    __tablename__ = "court_template"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    """A ``DocumentKind`` value (kept as text: a kind this version does not know is ignored)."""
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class RowSeal(Base):
    """The keyed MAC of one audited row as the app last wrote it (store/seals.py): a row changed
    around the app no longer matches its seal."""

    __tablename__ = "row_seal"
    # Its rows live in the key's own B-tree: checking a row's seal is one probe.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it per class

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mac: Mapped[str] = mapped_column(String(64))
