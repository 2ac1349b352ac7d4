"""judicial suggestions (司法建议): the suggestions the court sends to insurers, lenders,
regulators and departments when many cases share an obligor or a cause, the cases each rests on,
and the court's reply period and group threshold

Revision ID: 0015_judicial_suggestions
Revises: 0014_preservation_rulings
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_judicial_suggestions"
down_revision = "0014_preservation_rulings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.add_column(
            sa.Column("suggestion_reply_months", sa.Integer(), nullable=False, server_default="2")
        )
        batch.add_column(
            sa.Column("suggestion_threshold", sa.Integer(), nullable=False, server_default="5")
        )
    op.create_table(
        "suggestion",
        *_record_columns(),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("doc_no", sa.String(length=64), nullable=True),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("recipient_kind", sa.String(length=32), nullable=False),
        sa.Column("grouping", sa.String(length=32), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("drafted_on", sa.Date(), nullable=False),
        sa.Column("drafted_by", sa.String(length=36), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("reply_months", sa.Integer(), nullable=True),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("reply_summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["drafted_by"], ["app_user.id"], name=op.f("fk_suggestion_drafted_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["app_user.id"], name=op.f("fk_suggestion_approved_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("doc_no", name=op.f("uq_suggestion_doc_no")),
        sa.UniqueConstraint("year", "seq", name="uq_suggestion_year_seq"),
    )
    with op.batch_alter_table("suggestion") as batch:
        batch.create_index(batch.f("ix_suggestion_reply_due"), ["reply_due"], unique=False)
    op.create_table(
        "suggestion_case",
        *_record_columns(),
        sa.Column("suggestion_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_suggestion_case_suggestion_id_suggestion"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_suggestion_case_case_id_supervision_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_case")),
        sa.UniqueConstraint("suggestion_id", "case_id", name="uq_suggestion_case"),
    )
    with op.batch_alter_table("suggestion_case") as batch:
        batch.create_index(
            batch.f("ix_suggestion_case_suggestion_id"), ["suggestion_id"], unique=False
        )
        batch.create_index(batch.f("ix_suggestion_case_case_id"), ["case_id"], unique=False)


def _record_columns() -> list[sa.Column[object]]:
    """The columns every mergeable record has (store/models.py, ``Record``)."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def downgrade() -> None:
    op.drop_table("suggestion_case")
    op.drop_table("suggestion")
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("suggestion_threshold")
        batch.drop_column("suggestion_reply_months")
