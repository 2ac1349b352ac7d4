"""pre-enforcement preservation (执行前保全): the applications and the rulings on them, and on
each preservation measure the ruling it was taken under, the kind of measure, the holder asked to
assist, and its release

Revision ID: 0014_preservation_rulings
Revises: 0013_assignment_mediation
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_preservation_rulings"
down_revision = "0013_assignment_mediation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preservation_application",
        *_record_columns(),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("clues", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ruling_seq", sa.Integer(), nullable=True),
        sa.Column("ruling_no", sa.String(length=80), nullable=True),
        sa.Column("ruled_on", sa.Date(), nullable=True),
        sa.Column("ruled_amount", sa.BigInteger(), nullable=True),
        sa.Column("judge", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_preservation_application_case_id_supervision_case"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["party.id"],
            name=op.f("fk_preservation_application_applicant_id_party"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_application")),
        sa.UniqueConstraint("case_id", "ruling_seq", name="uq_preservation_ruling"),
    )
    with op.batch_alter_table("preservation_application") as batch:
        batch.create_index(
            batch.f("ix_preservation_application_case_id"), ["case_id"], unique=False
        )
    with op.batch_alter_table("preservation") as batch:
        batch.add_column(sa.Column("application_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("measure", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("released_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("release_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("release_note", sa.Text(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_preservation_application_id_preservation_application"),
            "preservation_application",
            ["application_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_preservation_application_id"), ["application_id"])
    # The stored deadlines this revision's rules change are filled by 0016, the last revision
    # adding columns the code reads (it runs the code of the head revision).


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
    with op.batch_alter_table("preservation") as batch:
        batch.drop_index(batch.f("ix_preservation_application_id"))
        batch.drop_constraint(
            batch.f("fk_preservation_application_id_preservation_application"), type_="foreignkey"
        )
        batch.drop_column("release_note")
        batch.drop_column("release_reason")
        batch.drop_column("released_on")
        batch.drop_column("holder")
        batch.drop_column("measure")
        batch.drop_column("application_id")
    op.drop_table("preservation_application")
