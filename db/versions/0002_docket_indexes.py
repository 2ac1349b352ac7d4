"""indexes for the docket and the due list on large databases

Revision ID: 0002_docket_indexes
Revises: 0001_baseline
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002_docket_indexes"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without it the due list's "not corrected by a later entry" check scans every contact log
    # for every candidate entry: minutes on 1,000,000 logs instead of milliseconds.
    op.create_index(
        op.f("ix_contact_log_corrects_id"), "contact_log", ["corrects_id"], unique=False
    )
    op.create_index(
        "ix_case_search_text", "supervision_case", ["search_text", "deleted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_case_search_text", table_name="supervision_case")
    op.drop_index(op.f("ix_contact_log_corrects_id"), table_name="contact_log")
