"""indexes for the statistics: the cases' closing dates (with the dates the flow of cases by
month reads), the few deleted cases, and the payments by the day they were paid

Revision ID: 0017_report_indexes
Revises: 0016_message_outbox
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_report_indexes"
down_revision = "0016_message_outbox"
branch_labels = None
depends_on = None

DELETED = sa.text("deleted_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_case_closed", "supervision_case", ["closed_date", "received_date", "deleted_at"]
    )
    op.create_index(
        "ix_case_deleted",
        "supervision_case",
        ["id"],
        sqlite_where=DELETED,
        postgresql_where=DELETED,
    )
    op.create_index("ix_payment_paid_on", "payment", ["paid_on", "deleted_at", "amount", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_paid_on", table_name="payment")
    op.drop_index("ix_case_deleted", table_name="supervision_case")
    op.drop_index("ix_case_closed", table_name="supervision_case")
