"""full-text (trigram) index over the docket's search text, for quick search on large dockets

Revision ID: 0003_case_search
Revises: 0002_docket_indexes
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003_case_search"
down_revision = "0002_docket_indexes"
branch_labels = None
depends_on = None

# A substring LIKE cannot use an index and scans 100,000 rows per keystroke; an FTS5 trigram
# index finds any fragment of three or more characters directly. The index follows the case
# table through triggers, so no service has to remember it. PostgreSQL uses pg_trgm instead.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE case_search USING fts5("
    "search_text, content='supervision_case', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER case_search_ai AFTER INSERT ON supervision_case BEGIN "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER case_search_ad AFTER DELETE ON supervision_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER case_search_au AFTER UPDATE OF search_text ON supervision_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
