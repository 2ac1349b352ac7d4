"""assignment and entrusted mediation: the court's rule for proposing new cases to handlers (by
tribunal area, by cause, round-robin or balanced), each tribunal's townships and each handler's
tribunal; the list of mediators and the cases entrusted to them

Revision ID: 0013_assignment_mediation
Revises: 0012_court_time_zone
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_assignment_mediation"
down_revision = "0012_court_time_zone"
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
    with op.batch_alter_table("tribunal", recreate="never") as batch:
        batch.add_column(sa.Column("townships", sa.Text(), nullable=True))
    # Plain ALTER TABLE (no copy of the table): other tables' rows refer to the users.
    with op.batch_alter_table("app_user", recreate="never") as batch:
        batch.add_column(sa.Column("tribunal_id", sa.String(length=36), nullable=True))
    op.create_table(
        "mediator",
        *_record_columns(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediator")),
        sa.UniqueConstraint("name", name=op.f("uq_mediator_name")),
    )
    op.create_table(
        "mediation",
        *_record_columns(),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("mediator_id", sa.String(length=36), nullable=False),
        sa.Column("entrusted_on", sa.Date(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("matters", sa.Text(), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["supervision_case.id"], name=op.f("fk_mediation_case_id_supervision_case")
        ),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["mediator.id"], name=op.f("fk_mediation_mediator_id_mediator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation")),
    )
    with op.batch_alter_table("mediation") as batch:
        batch.create_index(batch.f("ix_mediation_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_mediation_mediator_id"), ["mediator_id"], unique=False)

    # The stored deadlines are filled by 0014, whose columns the due-list rules read too.


def _record_columns() -> list[sa.Column[object]]:
    """The columns every mergeable record has (store/models.py, ``Record``)."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def downgrade() -> None:
    op.drop_table("mediation")
    op.drop_table("mediator")
    with op.batch_alter_table("app_user", recreate="never") as batch:
        batch.drop_column("tribunal_id")
    with op.batch_alter_table("tribunal", recreate="never") as batch:
        batch.drop_column("townships")
    with op.batch_alter_table("court_settings") as batch:
        batch.drop_column("assignment_causes")
        batch.drop_column("assignment_rule")
