"""What only a court server has: its schema, its search index, its locks and its error messages."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from tests.conftest import TODAY, make_case_input
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.admin.maintenance import check, open_app_database
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake.docket import (
    DocketQuery,
    _filtered,
    count_cases,
    register_case,
)
from zhiqian_desktop.store import engine
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.engine import StorageError
from zhiqian_desktop.store.models import Base, SupervisionCase


def test_the_migrated_schema_matches_the_models(pg_db: Database) -> None:
    # 0005 replaces the SQLite-only covering index of search_text by a pg_trgm GIN index.
    def ours(_obj: object, name: str | None, *_: object) -> bool:
        return name not in {"ix_case_search_text", "ix_case_search_trgm"}

    with pg_db.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": ours}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
        indexes = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_case_search_trgm'")
        ).scalar()
        # The model leaves the server's partial predicate to migration 0017 (store/models.py).
        deleted = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_case_deleted'")
        ).scalar()
    assert diff == []
    assert indexes is not None and "gin_trgm_ops" in indexes
    assert deleted is not None and "WHERE (deleted_at IS NOT NULL)" in deleted


def test_quick_search_can_use_the_trigram_index(pg_db: Database, admin: Actor) -> None:
    with pg_db.unit_of_work() as s:
        for n, name in enumerate(("乌兰察布某某", "包头市某公司", "赵某某"), start=1):
            register_case(s, admin, make_case_input(n, obligor=name), today=TODAY)
    with pg_db.reader() as s:
        assert count_cases(s, DocketQuery(text="包头市")) == 1
        stmt = select(SupervisionCase.id).where(*_filtered(s, DocketQuery(text="察布某")))
        compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
    with pg_db.engine.connect() as conn, conn.begin() as transaction:
        # Three rows: keep the planner off the table scan and off the statistics' b-tree
        # (0017), which holds deleted_at and so serves any docket query as a whole-index scan on
        # a table this small; both come back with the rollback. What is left shows whether the
        # trigram index can serve the search.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("DROP INDEX ix_case_closed"))
        plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
        transaction.rollback()
    assert "ix_case_search_trgm" in plan


def test_a_reader_does_not_wait_for_a_writer(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    with db.unit_of_work() as writing:
        register_case(writing, admin, make_case_input(2), today=TODAY)
        with db.reader() as s:  # another connection, while the write is open
            assert count_cases(s, DocketQuery()) == 1


def test_a_writer_kept_waiting_is_told_to_retry(
    pg_db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PG_LOCK_TIMEOUT_MS", 200)
    other = open_app_database(pg_db.url)
    try:
        with pg_db.unit_of_work() as holding:
            register_case(holding, admin, make_case_input(1), today=TODAY)
            with pytest.raises(StorageError, match="稍后重试"), other.unit_of_work() as s:
                register_case(s, admin, make_case_input(2), today=TODAY)
    finally:
        other.dispose()
    with pg_db.reader() as s:
        assert count_cases(s, DocketQuery()) == 1


def test_the_server_check_verifies_the_chain(pg_db: Database, admin: Actor) -> None:
    with pg_db.unit_of_work() as s:
        register_case(s, admin, make_case_input(1), today=TODAY)
    report = check(pg_db)
    assert report.ok and report.integrity == "ok" and not report.chain.keyed


def test_a_wrong_password_or_database_is_explained(pg_db: Database) -> None:
    url = make_url(pg_db.url)
    with pytest.raises(UserError, match="用户名或密码不正确"):
        open_app_database(url.set(password="wrong").render_as_string(hide_password=False))
    with pytest.raises(UserError, match="没有这个数据库"):
        open_app_database(url.set(database="zq_no_such").render_as_string(hide_password=False))
    with pytest.raises(UserError, match="无法连接数据库服务器"):
        open_app_database(url.set(port=9).render_as_string(hide_password=False))
