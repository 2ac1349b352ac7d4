"""seals on the audited rows: a keyed MAC per row, so that a change made around the app is found
by `zhiqian check` (the rows already there are sealed by the upgrade itself: store/migrations.py
reseals every audited row after any migration)

Revision ID: 0010_row_seals
Revises: 0009_document_facts
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_row_seals"
down_revision = "0009_document_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "row_seal",
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", name=op.f("pk_row_seal")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("row_seal")
