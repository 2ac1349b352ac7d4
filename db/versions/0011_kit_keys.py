"""per-kit keys: each offline kit's own Ed25519 public key and what it may change (its cases
and users), fixed at export; kits exported before have neither and are refused at import

Revision ID: 0011_kit_keys
Revises: 0010_row_seals
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_kit_keys"
down_revision = "0010_row_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offline_kit") as batch:
        batch.add_column(sa.Column("public_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("scope_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offline_kit") as batch:
        batch.drop_column("scope_json")
        batch.drop_column("public_key")
