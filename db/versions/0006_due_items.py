"""the due-list's pending deadlines kept per case (due_item), filled from the existing data

Revision ID: 0006_due_items
Revises: 0005_pg_trigram_search
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_due_items"
down_revision = "0005_pg_trigram_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_item",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("shows_from", sa.Date(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("calendar_complete", sa.Boolean(), nullable=False),
        sa.Column("rolled_from", sa.Date(), nullable=True),
        sa.Column("livelihood", sa.Boolean(), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=False),
        sa.Column("obligor_names", sa.String(length=500), nullable=False),
        sa.Column("handler_id", sa.String(length=36), nullable=True),
        sa.Column("tribunal_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_due_item_case_id_supervision_case"),
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_due_item")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_due_item_shows_from", "due_item", ["shows_from"], unique=False)
    # Filled by the last revision that changes what the rules read (0013_assignment_mediation): the
    # rules of the code running the migration read that revision's columns.


def downgrade() -> None:
    op.drop_index("ix_due_item_shows_from", table_name="due_item")
    op.drop_table("due_item")
