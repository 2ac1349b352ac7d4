"""the docket sorted by 下次到期: the index holds the case number after the date, so that the
first page of the sort (cases without a next date first, then by date, each tie by case number)
is read in index order instead of sorting every case without a date by its number

Revision ID: 0018_docket_next_due
Revises: 0017_report_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0018_docket_next_due"
down_revision = "0017_report_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_case_next_due", table_name="supervision_case")
    op.create_index(
        "ix_case_next_due", "supervision_case", ["next_due_date", "case_year", "case_seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_next_due", table_name="supervision_case")
    op.create_index("ix_case_next_due", "supervision_case", ["next_due_date"])
