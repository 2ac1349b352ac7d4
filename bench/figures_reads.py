"""The interactive reads: the docket (first page, quick search, sorts), the due-list, statistics.

Each is timed in this process through the service the GUI calls, in a fresh read session per run,
with the raw SQL of the same query beside it as the floor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select, text

from bench.core import PAGE, Context, Measured, NotAvailable, figure, median_ms
from bench.floors import captured_sql, replay, with_sql_floor
from zhiqian_desktop.domain.stats import GroupBy, Period
from zhiqian_desktop.domain.workflow import OPEN_STATUSES
from zhiqian_desktop.services.intake.docket import (
    SORT_KEYS,
    DocketQuery,
    _docket_select,
    count_cases,
    list_cases,
)
from zhiqian_desktop.services.reporting.stats import compute_stats
from zhiqian_desktop.services.supervision.dues import due_list
from zhiqian_desktop.store.models import Party, SupervisionCase

STATS_YEAR = 2025


def docket_page(ctx: Context, q: DocketQuery, *, count: bool = True) -> Callable[[], object]:
    """What the docket does for one page: the count (for the status line) and 200 rows."""

    def action() -> object:
        with ctx.session() as s:
            total = count_cases(s, q) if count else None
            rows = list_cases(s, q, today=ctx.today, limit=PAGE)
        return total, rows

    return action


@figure("docket: first page (count + 200 rows, default sort)", 150, scaling=True)
def first_page(ctx: Context) -> Measured:
    return with_sql_floor(ctx, docket_page(ctx, DocketQuery()))


def search_terms(ctx: Context) -> dict[str, str]:
    """Realistic things a clerk types, taken from the data itself: parties of the docket's first
    cases (by case number, so every build from the same seed gives the same terms; the row ids
    are random). A two-character name and a three-character one, since the index serves them
    differently."""
    if not ctx.terms:
        with ctx.session() as s:
            first = (
                select(SupervisionCase.id)
                .order_by(SupervisionCase.case_year, SupervisionCase.case_seq)
                .limit(50)
            )
            parties = s.execute(
                select(Party.name, Party.kind, Party.phones)
                .join(SupervisionCase, SupervisionCase.id == Party.case_id)
                .where(Party.case_id.in_(first))
                .order_by(SupervisionCase.case_year, SupervisionCase.case_seq, Party.position)
            ).all()
        people = [p.name for p in parties if p.kind == "person"]
        phones = next(p.phones for p in parties if p.phones)
        ctx.terms = {
            "phone fragment": phones.split("、")[0][:7],  # the first 7 digits typed so far
            "two-character name": next(n for n in people if len(n) == 2),
            "three-character name": next(n for n in people if len(n) == 3),
            "case number fragment": "执前督1234",
        }
    return ctx.terms


def _search_figure(kind: str) -> None:
    @figure(f"quick search: {kind} (count + first page)", 100, scaling=True)
    def fn(ctx: Context) -> Measured:
        term = search_terms(ctx)[kind]
        return with_sql_floor(ctx, docket_page(ctx, DocketQuery(text=term)))


for _kind in (
    "phone fragment",
    "two-character name",
    "three-character name",
    "case number fragment",
):
    _search_figure(_kind)


def _sort_figure(key: str, descending: bool) -> None:
    @figure(f"sort by {key} {'desc' if descending else 'asc'} (first page)", 200, scaling=True)
    def fn(ctx: Context) -> Measured:
        q = DocketQuery(sort=key, descending=descending)
        return with_sql_floor(ctx, docket_page(ctx, q, count=False))


for _key in SORT_KEYS:
    for _desc in (False, True):
        _sort_figure(_key, _desc)


@figure("docket: open cases of one handler, overdue first page", 150, scaling=True)
def handler_overdue(ctx: Context) -> Measured:
    with ctx.session() as s:
        handler = s.scalars(
            select(SupervisionCase.handler_id)
            .where(SupervisionCase.handler_id.is_not(None))
            .order_by(SupervisionCase.case_year, SupervisionCase.case_seq)
            .limit(1)
        ).one()
    q = DocketQuery(
        statuses=frozenset(OPEN_STATUSES), handler_id=handler, overdue_on=ctx.today, sort="next_due"
    )
    return with_sql_floor(ctx, docket_page(ctx, q))


# --- the due-list --------------------------------------------------------------------------------


def _due_action(ctx: Context) -> Callable[[], int]:
    def action() -> int:
        with ctx.session() as s:
            return len(due_list(s, ctx.today))

    return action


def due_sql_floor(ctx: Context) -> float:
    """The raw SQL of the due-list for the day (shared by the list and the page figures)."""
    if "due_floor" not in ctx.cache:
        with captured_sql(ctx.db.engine) as statements:
            _due_action(ctx)()
        ctx.cache["due_floor"] = (median_ms(ctx, replay(ctx.db.engine, statements)), statements)
    return float(ctx.cache["due_floor"][0])


@figure("due-list: one date, all handlers", 50, scaling=True)
def due_list_all(ctx: Context) -> Measured:
    action = _due_action(ctx)
    value = median_ms(ctx, action)
    ctx.notes["due-list"] = f"{action()} items on {ctx.today}"
    floor = due_sql_floor(ctx)
    statements = len(ctx.cache["due_floor"][1])
    return Measured(value, floor, f"raw SQL ({statements} statements)")


@figure(
    "due-list page (今日待办): created → model filled → first paint, all handlers",
    100,
    scaling=True,
)
def due_list_page(ctx: Context) -> Measured:
    from bench import bench_dues

    result = bench_dues.measure_page(ctx.url, repeat=ctx.runs)
    ctx.notes["due-list page"] = f"{result['rows']:.0f} rows"
    return Measured(float(result["median_ms"]), due_sql_floor(ctx), "raw SQL of the due-list")


# --- statistics ----------------------------------------------------------------------------------


def _stats_figure(label: str, by: GroupBy | None, target: float) -> None:
    @figure(f"statistics: one year {label}", target, scaling=True)
    def fn(ctx: Context) -> Measured:
        period = Period(date(STATS_YEAR, 1, 1), date(STATS_YEAR, 12, 31))

        def action() -> object:
            with ctx.session() as s:
                return compute_stats(s, period, by)

        return with_sql_floor(ctx, action)


_stats_figure("by month with totals (the statistics page)", GroupBy.MONTH, 100)
_stats_figure("totals only", None, 300)


# --- investigating -------------------------------------------------------------------------------


def explain(ctx: Context) -> None:
    """EXPLAIN QUERY PLAN of the docket queries, for investigating a slow figure."""
    if ctx.backend != "sqlite":
        raise NotAvailable("the query plans are printed for SQLite only")
    queries = [("default", DocketQuery())] + [(f"sort {k}", DocketQuery(sort=k)) for k in SORT_KEYS]
    queries.append(("search", DocketQuery(text=next(iter(search_terms(ctx).values())))))
    with ctx.session() as s:
        for label, q in queries:
            stmt = _docket_select(s, q, ctx.today).limit(PAGE)
            compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            plan = s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            print(f"-- {label}")
            for row in plan:
                print("   ", row[-1])
