"""Measures the app's figures on the benchmark database, each beside its floor and its target.

    python -m bench.run [--cases N | --db PATH | --database-url URL] [--runs N] [--only TEXT]
                        [--json FILE] [--markdown FILE] [--cold METHOD] [--smoke]
    python -m bench.run --sizes 10k,100k,300k [--only TEXT]
    python -m bench.run --explain

Prints every figure as it is measured, then one Markdown table: figure | measured | floor | ratio
| target | ok. The floor is the same work done without the app, measured in the same run (see
bench/floors.py); the ratio is measured / floor. A figure is ok when it is within its target and,
where it has one, within its ratio to the floor. With --sizes, the docket, search, due-list and
statistics figures are measured on the benchmark database of each size (generated once, cached)
and printed as one table across the sizes. With --database-url, the figures that apply to a court
server run against that PostgreSQL database (fill it first with
`python -m bench.generate --database-url URL`). Benchmarks are not tests: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import time
from pathlib import Path
from typing import Any

import bench.figures_processes
import bench.figures_reads
import bench.figures_writes
from bench.cold import METHODS
from bench.core import FIGURES, Context, Figure, Measured, NotAvailable, Workload, ratio
from bench.generate import DEFAULT_CASES, ensure_database, parse_cases, size_label


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on Windows
        return None


def measure(fig: Figure, ctx: Context) -> dict[str, Any]:
    load, started = _loadavg(), time.perf_counter()
    try:
        got = fig.fn(ctx)
        result = got if isinstance(got, Measured) else Measured(float(got))
        note = ""
    except NotAvailable as exc:
        result, note = None, f"not available: {exc}"
    except Exception as exc:  # a broken figure is reported, the others still run
        result, note = None, f"error: {type(exc).__name__}: {exc}"[:200]
    digits = 2 if fig.unit == "s" else 1
    value = None if result is None else round(result.value, digits)
    floor = None if result is None or result.floor is None else round(result.floor, digits + 1)
    r = ratio(value, floor)
    ok: bool | None = None
    if value is not None and (fig.target is not None or (fig.max_ratio and r is not None)):
        ok = (fig.target is None or value <= fig.target) and (
            fig.max_ratio is None or r is None or r <= fig.max_ratio
        )
    return {
        "name": fig.name,
        "measured": value,
        "unit": fig.unit,
        "floor": floor,
        "floor_is": "" if result is None else result.floor_is,
        "ratio": None if r is None else round(r, 1),
        "target": fig.target,
        "max_ratio": fig.max_ratio,
        "ok": ok,
        "note": note,
        "load_average": load,
        "took_seconds": round(time.perf_counter() - started, 1),
    }


ORDER = (bench.figures_reads, bench.figures_processes, bench.figures_writes)
"""Reads first (they need no copy of the database), then processes, then writes."""


def selected(ctx: Context, only: str | None, *, scaling: bool = False) -> list[Figure]:
    modules = [m.__name__ for m in ORDER]
    ordered = sorted(FIGURES, key=lambda f: modules.index(f.fn.__module__))
    return [
        f
        for f in ordered
        if ctx.backend in f.backends
        and (not only or any(part.lower() in f.name.lower() for part in only.split(",")))
        and (f.scaling or not scaling)
    ]


def run(ctx: Context, only: str | None = None, *, scaling: bool = False) -> list[dict[str, Any]]:
    results = []
    for fig in selected(ctx, only, scaling=scaling):
        results.append(measure(fig, ctx))
        print(_row(results[-1]), flush=True)
    return results


# --- output --------------------------------------------------------------------------------------


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} {unit}"


def _value(r: dict[str, Any]) -> str:
    return r["note"] if r["measured"] is None else _amount(r["measured"], r["unit"])


def _floor(r: dict[str, Any]) -> str:
    if r["floor"] is None:
        return "—"
    return f"{_amount(r['floor'], r['unit'])} ({r['floor_is']})"


def _ratio(r: dict[str, Any]) -> str:
    return "" if r["ratio"] is None else f"{r['ratio']:.1f}×"


def _target(r: dict[str, Any]) -> str:
    parts = []
    if r["target"] is not None:
        parts.append(f"≤ {r['target']:g} {r['unit']}")
    if r["max_ratio"] is not None:
        parts.append(f"≤ {r['max_ratio']:g}× floor")
    return " and ".join(parts) or "— (none set)"


def _mark(r: dict[str, Any]) -> str:
    return {True: "ok", False: "**missed**", None: ""}[r["ok"]]


def _row(r: dict[str, Any]) -> str:
    load = "" if r["load_average"] is None else f"load {r['load_average']:.1f}"
    return (
        f"{r['name'][:70]:<70} | {_value(r):>11} | {_floor(r)[:40]:>40} | {_ratio(r):>6} | "
        f"{_target(r)} {'MISSED' if r['ok'] is False else _mark(r)}  {load}"
    )


def markdown(results: list[dict[str, Any]]) -> str:
    """The figures as the README table."""
    lines = [
        "| figure | measured | floor (same run) | ratio | target | ok |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {_value(r)} | {_floor(r)} | {_ratio(r)} | {_target(r)} | {_mark(r)} |"
        )
    return "\n".join(lines)


def scaling_markdown(by_size: dict[str, list[dict[str, Any]]]) -> str:
    """One row per figure, one column per database size: measured (floor, ratio)."""
    sizes = list(by_size)
    lines = [
        "| figure | " + " | ".join(f"{s} cases" for s in sizes) + " | target |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    names = [r["name"] for r in next(iter(by_size.values()))]
    for i, name in enumerate(names):
        cells = []
        target = ""
        for size in sizes:
            r = by_size[size][i]
            target = _target(r)
            cell = _value(r)
            if r["floor"] is not None:
                cell += f" (floor {_amount(r['floor'], r['unit'])}, {_ratio(r)})"
            if r["ok"] is False:
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    ram_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt: str | None = f"{qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError:
        qt = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "qt": qt,
        "platform": platform.platform(),
    }


# --- the command ---------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, help="a benchmark database file")
    where.add_argument("--database-url", help="a court server's database (PostgreSQL)")
    where.add_argument(
        "--cases", type=parse_cases, default=DEFAULT_CASES, help="the cached database of this size"
    )
    where.add_argument(
        "--sizes", help="e.g. 10k,100k,300k: the scaling figures on each size, one table"
    )
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--markdown", type=Path, help="also write the table here")
    p.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    p.add_argument("--only", help="only figures whose name contains this (or any of a,b,c)")
    p.add_argument("--cold", choices=METHODS, default=None, help="how a cold cache is made")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="every figure once on small workloads (the test suite's check that the benchmark works)",
    )
    p.add_argument("--explain", action="store_true", help="print the docket's query plans and stop")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    work = Workload.smoke() if args.smoke else Workload()
    runs = 1 if args.smoke else args.runs
    cold = args.cold or ("database" if args.smoke else "auto")
    started, load_start = time.time(), _loadavg()
    report: dict[str, Any] = {"machine": machine(), "runs": runs, "smoke": args.smoke}

    if args.sizes:
        by_size: dict[str, list[dict[str, Any]]] = {}
        for label in args.sizes.split(","):
            cases = parse_cases(label)
            path = ensure_database(cases=cases)
            print(f"\n== {size_label(cases)} cases: {path}", flush=True)
            ctx = Context(db_path=path, runs=runs, work=work, cold_method=cold)
            try:
                by_size[size_label(cases)] = run(ctx, args.only, scaling=True)
            finally:
                ctx.close()
        table = scaling_markdown(by_size)
        report["sizes"] = by_size
    else:
        db_path = None if args.database_url else (args.db or ensure_database(cases=args.cases))
        ctx = Context(
            db_path=db_path, runs=runs, database_url=args.database_url, work=work, cold_method=cold
        )
        try:
            if args.explain:
                bench.figures_reads.explain(ctx)
                return 0
            results = run(ctx, args.only)
        finally:
            ctx.close()
        table = markdown(results)
        report |= {"database": str(db_path or "server"), "figures": results, "notes": ctx.notes}
    report |= {
        "measured_at": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "load_average": {"start": load_start, "end": _loadavg()},
    }
    print()
    m = report["machine"]
    print(
        f"{report['measured_at']}, {m['cpu']} ({m['cores']} cores), Python {m['python']}, SQLite "
        f"{m['sqlite']}; load average {load_start} at the start, {_loadavg()} at the end; "
        f"medians of {runs} runs"
    )
    print()
    print(table)
    for key, note in report.get("notes", {}).items():
        print(f"  {key}: {note}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
