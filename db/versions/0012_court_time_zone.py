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
    _rebuild_due_items()


def _rebuild_due_items() -> None:
    """The stored deadlines (table due_item, revision 0006), computed by the rules of the code
    running this migration, which read the column added here (the day of a call or a notice is
    the day in the court's zone). A later revision that adds a column those rules read must do
    this fill itself (and this one must then stop doing it)."""
    from sqlalchemy.orm import Session

    from zhiqian_desktop.services.supervision.due_items import rebuild_due_items

    with Session(bind=op.get_bind()) as session:
        rebuild_due_items(session)


def downgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("time_zone")
