"""Quick search through the trigram index follows every change to a case."""

from __future__ import annotations

from datetime import date

from conftest import TODAY, make_case_input

from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.intake import docket
from zhiqian_desktop.store.database import Database


def _found(db: Database, text: str) -> list[str]:
    with db.reader() as session:
        q = docket.DocketQuery(text=text)
        rows = docket.list_cases(session, q, today=TODAY)
        assert docket.count_cases(session, q) == len(rows)
        return [r.obligor_names for r in rows]


def test_search_follows_edits_and_deletions(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        first = docket.register_case(
            session, admin, make_case_input(1, obligor="王建国", phone="13912345678"), today=TODAY
        )
        docket.register_case(
            session, admin, make_case_input(2, obligor="李红梅", phone="13800001111"), today=TODAY
        )
    assert _found(db, "2345") == ["王建国"]
    assert _found(db, "王建国") == ["王建国"]
    assert _found(db, "王建") == ["王建国"]  # two characters: below the trigram length, still found
    assert _found(db, "民初2号") == ["李红梅"]

    data = make_case_input(1, obligor="王建国", phone="15047001234")
    with db.unit_of_work() as session:
        case = docket.get_case(session, first.id)
        data.parties[0].id = case.parties[0].id
        data.parties[1].id = case.parties[1].id
        docket.update_case(session, admin, first.id, case.version, data, today=TODAY)
    assert _found(db, "2345") == []
    assert _found(db, "47001") == ["王建国"]

    with db.unit_of_work() as session:
        docket.get_case(session, first.id).deleted_at = docket.utcnow()
    assert _found(db, "47001") == []


def test_search_text_with_query_syntax_is_taken_literally(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        docket.register_case(
            session, admin, make_case_input(1, received=date(2026, 11, 2)), today=TODAY
        )
    for hostile in ['"', '" OR "', "a*b", "NEAR(x y)", "%%%", "_x_", "'--", "王某 AND"]:
        assert _found(db, hostile) == []
    assert _found(db, "（2026） 民初1号") != []  # several words must all match
