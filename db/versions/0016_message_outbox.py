"""the messages outbox: progress reports to applicants and reminders to obligors, drafted,
approved, exported for the court's SMS platform and marked sent or failed from its result file;
the court's lead days for reminders

Revision ID: 0016_message_outbox
Revises: 0015_judicial_suggestions
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_message_outbox"
down_revision = "0015_judicial_suggestions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.add_column(
            sa.Column("reminder_lead_days", sa.Integer(), nullable=False, server_default="3")
        )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("party_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("reminder_of", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch", sa.String(length=16), nullable=True),
        sa.Column("ref", sa.String(length=24), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact_log_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_outbox_message_case_id_supervision_case"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_outbox_message_party_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["contact_log_id"],
            ["contact_log.id"],
            name=op.f("fk_outbox_message_contact_log_id_contact_log"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("ref", name=op.f("uq_outbox_message_ref")),
    )
    with op.batch_alter_table("outbox_message") as batch:
        batch.create_index(batch.f("ix_outbox_message_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_outbox_message_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_outbox_message_batch"), ["batch"], unique=False)
    _rebuild_due_items()


def _rebuild_due_items() -> None:
    """The stored deadlines (table due_item, revision 0006), computed by the rules of the code
    running this migration, which read the columns added by 0014 (a released measure leaves the
    list; a measure under a pre-enforcement ruling brings the release deadline) and load the
    court's settings with every column up to here. A later revision that adds something those
    rules or the settings read must do this fill itself (and this one must then stop doing it)."""
    from sqlalchemy.orm import Session

    from zhiqian_desktop.services.supervision.due_items import rebuild_due_items

    with Session(bind=op.get_bind()) as session:
        rebuild_due_items(session)


def downgrade() -> None:
    op.drop_table("outbox_message")
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("reminder_lead_days")
