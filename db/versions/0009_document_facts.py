"""facts the documents rest on: the judgment's last installment, the enforcement application,
the act's performance date, the witness or recording of a service by leaving, and the addressee
of each service (one service record per addressee, as one 送达回证 each)

Revision ID: 0009_document_facts
Revises: 0008_court_templates
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_document_facts"
down_revision = "0008_court_templates"
branch_labels = None
depends_on = None

# Whom each kind of document was served on when this revision was written (domain/issuing.py
# ADDRESSEES then); kept here so the fill below does not change if the rule later does.
_ROLES = {
    "urging": ("obligor",),
    "supervision_notice": ("obligor",),
    "risk_notice": ("applicant", "obligor"),
    "pre_fine": ("obligor",),
    "pre_detention": ("obligor",),
    "pre_dishonest": ("obligor",),
    "pre_consumption_limit": ("obligor",),
    "pre_criminal": ("obligor",),
    "performance_certificate": ("obligor",),
    "bankruptcy_notice": ("applicant",),
}


def upgrade() -> None:
    with op.batch_alter_table("supervision_case") as batch:
        batch.add_column(sa.Column("final_installment_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("application_received_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("act_performed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("party_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("witness", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("process_recorded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            batch.f("fk_service_party_id_party"), "party", ["party_id"], ["id"]
        )
    _name_the_addressees()
    # The stored deadlines (due_item, revision 0006) are filled by 0013_assignment_mediation,
    # the last revision that adds what the due-list rules read.


def _name_the_addressees() -> None:
    """Each service recorded so far gets the party it served, where that is certain: the
    document's only addressee, or the one addressee whose name the clerk wrote as recipient.
    The others keep no party: they served the document as a whole, as they did before."""
    conn = op.get_bind()
    parties: dict[str, list[tuple[str, str, str]]] = {}
    for pid, case_id, role, name in conn.execute(
        sa.text("SELECT id, case_id, role, name FROM party WHERE deleted_at IS NULL")
    ):
        parties.setdefault(case_id, []).append((pid, role, name))
    rows = conn.execute(
        sa.text(
            "SELECT s.id, s.recipient, d.kind, d.case_id FROM service s"
            " JOIN document d ON d.id = s.document_id"
        )
    ).all()
    named = []
    for sid, recipient, kind, case_id in rows:
        roles = _ROLES.get(kind, ())
        candidates = [p for p in parties.get(case_id, []) if p[1] in roles]
        if len(candidates) > 1:
            candidates = [p for p in candidates if p[2] == (recipient or "").strip()]
        if len(candidates) == 1:
            named.append({"sid": sid, "pid": candidates[0][0]})
    if named:
        conn.execute(sa.text("UPDATE service SET party_id = :pid WHERE id = :sid"), named)


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_constraint("fk_service_party_id_party", type_="foreignkey")
        batch.drop_column("process_recorded")
        batch.drop_column("witness")
        batch.drop_column("party_id")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): copying the table, as batch mode would,
    # is refused while other tables' rows refer to its cases.
    with op.batch_alter_table("supervision_case", recreate="never") as batch:
        batch.drop_column("act_performed_on")
        batch.drop_column("application_received_on")
        batch.drop_column("final_installment_date")
