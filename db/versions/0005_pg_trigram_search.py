"""quick search on a court server: a pg_trgm GIN index over the docket's search text

Revision ID: 0005_pg_trigram_search
Revises: 0004_offline_kits
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005_pg_trigram_search"
down_revision = "0004_offline_kits"
branch_labels = None
depends_on = None

# PostgreSQL's counterpart of the SQLite FTS5 trigram table of 0003: a GIN index with pg_trgm's
# operator class serves `search_text LIKE '%fragment%'` directly (fragments of three or more
# characters; shorter ones fall back to a scan, as on SQLite). The btree "covering" index of 0002
# is an SQLite device; on PostgreSQL it helps no substring search and would refuse a case whose
# search text exceeds the btree row limit (~2.7 kB), so it is replaced there.
#
# pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. When the
# desks' role is not the owner, the IT staff create it once beforehand (docs/postgresql.md).
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP INDEX IF EXISTS ix_case_search_text",
    "CREATE INDEX IF NOT EXISTS ix_case_search_trgm ON supervision_case "
    "USING gin (search_text gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS ix_case_search_trgm",
    "CREATE INDEX IF NOT EXISTS ix_case_search_text ON supervision_case (search_text, deleted_at)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
