"""offline kits: issued kits, imported change packages, per-record merge state, merge conflicts

Revision ID: 0004_offline_kits
Revises: 0003_case_search
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_offline_kits"
down_revision = "0003_case_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offline_kit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("tribunal_id", sa.String(length=36), nullable=True),
        sa.Column("handler_id", sa.String(length=36), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("base_audit_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_kit")),
    )
    op.create_table(
        "change_import",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kit_id", sa.String(length=36), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_import")),
    )
    op.create_index(op.f("ix_change_import_kit_id"), "change_import", ["kit_id"], unique=False)
    op.create_table(
        "kit_record_state",
        sa.Column("kit_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("tribunal_version", sa.Integer(), nullable=False),
        sa.Column("tribunal_json", sa.Text(), nullable=False),
        sa.Column("court_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kit_id", "entity", "record_id", name=op.f("pk_kit_record_state")),
    )
    op.create_table(
        "merge_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kit_id", sa.String(length=36), nullable=False),
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("base_json", sa.Text(), nullable=False),
        sa.Column("court_json", sa.Text(), nullable=False),
        sa.Column("tribunal_json", sa.Text(), nullable=False),
        sa.Column("tribunal_version", sa.Integer(), nullable=False),
        sa.Column("tribunal_updated_by", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("choices_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_conflict")),
    )
    op.create_index(
        "ix_merge_conflict_status", "merge_conflict", ["status", "kit_id"], unique=False
    )
    op.create_index(
        op.f("ix_merge_conflict_record_id"), "merge_conflict", ["record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_merge_conflict_record_id"), table_name="merge_conflict")
    op.drop_index("ix_merge_conflict_status", table_name="merge_conflict")
    op.drop_table("merge_conflict")
    op.drop_table("kit_record_state")
    op.drop_index(op.f("ix_change_import_kit_id"), table_name="change_import")
    op.drop_table("change_import")
    op.drop_table("offline_kit")
