"""What the due-list rules (domain/dues.py) are given: the court's period settings and the plain
facts of one case — its documents, latest contact, settlement, payments, freezes and entrusted
mediation — as the services read them from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhiqian_desktop.domain.kinds import DocumentKind, PreservationKind
from zhiqian_desktop.domain.workflow import CaseStatus


@dataclass(frozen=True)
class DueRules:
    """The court settings the rules depend on."""

    urging_days: int = 15
    supervision_limit_days: int = 30
    unserved_flag_days: int = 7


@dataclass(frozen=True)
class DocumentFact:
    """A document issued for the case (voided ones are left out by the caller)."""

    kind: DocumentKind
    issued_on: date
    served_on: date | None = None
    doc_no: str = ""


@dataclass(frozen=True)
class ContactFact:
    """The latest contact log still in force (not replaced by a correction)."""

    contacted_on: date
    next_follow_up: date | None = None
    promise_date: date | None = None
    promise_amount: Decimal | None = None


@dataclass(frozen=True)
class InstallmentFact:
    seq: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class PaymentFact:
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class FreezeFact:
    """A freeze or seizure; ``expires_on`` when the ruling or a renewal states it."""

    kind: PreservationKind
    frozen_on: date
    expires_on: date | None = None
    description: str = ""
    pre_enforcement: bool = False
    """Taken under the team's own pre-enforcement ruling (执行前保全), not in place before."""


@dataclass(frozen=True)
class MediationFact:
    """The entrustment to a mediator still waiting for its result (委托调解)."""

    mediator: str
    entrusted_on: date
    period_days: int


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    received_date: date
    status: CaseStatus
    livelihood: bool = False
    performance_deadline: date | None = None
    effective_date: date | None = None
    final_installment_date: date | None = None
    """The effective document's own last installment (not the team's settlement)."""
    settlements_signed: tuple[date, ...] = ()
    """Every settlement signed (an agreement to perform interrupts the art. 250 limit)."""
    documents: tuple[DocumentFact, ...] = ()
    latest_contact: ContactFact | None = None
    settlement_signed_on: date | None = None
    installments: tuple[InstallmentFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()
    freezes: tuple[FreezeFact, ...] = ()
    mediation: MediationFact | None = None
    application_received_on: date | None = None
    """The day the applicant's application for enforcement was received (申请执行书)."""
    # Carried through to the items for display only.
    case_no: str = ""
    obligor_names: str = ""
    handler_id: str | None = None
    handler_name: str = ""
    tribunal_id: str | None = None
