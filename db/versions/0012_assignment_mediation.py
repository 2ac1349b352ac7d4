"""assignment: the court's rule for proposing new cases to handlers (by tribunal area, by cause,
round-robin or balanced), each tribunal's townships and each handler's tribunal

Revision ID: 0012_assignment_mediation
Revises: 0011_kit_keys
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_assignment_mediation"
down_revision = "0011_kit_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("court_settings") as batch:
        batch.add_column(
            sa.Column(
                "assignment_rule", sa.String(length=32), nullable=False, server_default="balanced"
            )
        )
        batch.add_column(sa.Column("assignment_causes", sa.Text(), nullable=True))
    with op.batch_alter_table("tribunal") as batch:
        batch.add_column(sa.Column("townships", sa.Text(), nullable=True))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("tribunal_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key(
            op.f("fk_app_user_tribunal_id_tribunal"), "tribunal", ["tribunal_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("fk_app_user_tribunal_id_tribunal"), type_="foreignkey")
        batch.drop_column("tribunal_id")
    with op.batch_alter_table("tribunal") as batch:
        batch.drop_column("townships")
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("assignment_causes")
        batch.drop_column("assignment_rule")
