"""facts the documents rest on: the judgment's last installment, the enforcement application,
the act's performance date, and the witness or recording of a service by leaving

Revision ID: 0009_document_facts
Revises: 0008_court_templates
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_document_facts"
down_revision = "0008_court_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervision_case") as batch:
        batch.add_column(sa.Column("final_installment_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("application_received_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("act_performed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("witness", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("process_recorded", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_column("process_recorded")
        batch.drop_column("witness")
    with op.batch_alter_table("supervision_case") as batch:
        batch.drop_column("act_performed_on")
        batch.drop_column("application_received_on")
        batch.drop_column("final_installment_date")
