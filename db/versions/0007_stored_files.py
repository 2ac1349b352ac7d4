"""file contents inside the database (court server, encrypted file) and the court's secrets there

Revision ID: 0007_stored_files
Revises: 0005_pg_trigram_search
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_stored_files"
down_revision = "0006_due_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    op.create_table(
        "court_secret",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_court_secret")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Photos, recordings and PDFs are compressed already: EXTERNAL keeps them out of line
        # (TOAST) without a futile compression attempt on every write.
        op.execute("ALTER TABLE stored_file ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("court_secret")
    op.drop_table("stored_file")
