"""the court's own document templates, in the database so every desk prints the same wording

Revision ID: 0008_court_templates
Revises: 0007_stored_files
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_court_templates"
down_revision = "0007_stored_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "court_template",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_court_template")),
    )


def downgrade() -> None:
    op.drop_table("court_template")
