"""the court's time zone as a setting (default Asia/Shanghai): the day a call, a notice or a
payment falls on is the day in that zone

Revision ID: 0012_court_time_zone
Revises: 0011_kit_keys
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_court_time_zone"
down_revision = "0011_kit_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.add_column(
            sa.Column(
                "time_zone",
                sa.String(length=64),
                nullable=False,
                server_default="Asia/Shanghai",
            )
        )
    # The stored deadlines are rebuilt by 0013_assignment_mediation, the last revision that
    # adds what the due-list rules read (this column among it).


def downgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("time_zone")
