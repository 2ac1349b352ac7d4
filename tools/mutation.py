"""Mutation testing of the legal rules: does the suite notice when a rule is changed slightly?

Each mutant is one small change to one module of ``domain/`` (or ``printing/linebreak.py``): a
comparison flipped, a constant moved by one, an operator swapped, a statement deleted, a return
value replaced. The module's tests run against it; a mutant the tests do not notice "survives".
A surviving mutant is either a missing test or a change that cannot alter behaviour (an
equivalent mutant), and then it is listed with the reason in ``tools/mutation-equivalents.toml``.

    python tools/mutation.py                     every module
    python tools/mutation.py domain/money.py     one module (a path under zhiqian_desktop/)
    python tools/mutation.py --changed           only what the change touches (CI)
    python tools/mutation.py --list domain/money.py       the mutants, not run
    python tools/mutation.py --show "money.py:..."        one mutant as a diff

The run is deterministic: mutants in source order, PYTHONHASHSEED fixed, Hypothesis derandomised.
Each mutant runs in a child forked from a process that has already imported pytest and the
libraries the tests use (so only our own modules are imported again), stopping at the first
failing test and killed after a time limit (a mutant that loops forever counts as caught).
See docs/mutation-testing.md.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import gc
import importlib
import importlib.abc
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
from mutants import PACKAGE, ROOT, Mutant, find_mutants, mutated_source, source_of

EQUIVALENTS = ROOT / "tools" / "mutation-equivalents.toml"
THRESHOLD = 95.0
"""Minimum score per module: caught plus explained mutants, in percent of all."""

EXTRA_TARGETS = ("printing/linebreak.py",)
"""Modules outside domain/ that hold rules printed on court documents."""

TESTS: dict[str, tuple[str, ...]] = {
    "printing/linebreak.py": ("tests/printing/test_linebreak.py",),
    "domain/cjk.py": ("tests/domain/test_cjk.py", "tests/printing/test_extension_names.py"),
}
"""Tests run per module when they are not just tests/domain/test_<name>.py."""

ALL_TESTS = "*"
"""Marks a line run outside any test (at import): every test depends on it."""

TraceFn = Any

SAMPLE_STRIDE = 40
"""With --sample, every 40th mutant of each module (a fixed, repeatable choice)."""

_PYTEST_ARGS = (
    "-x",
    "-q",
    "--no-header",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    # The plugins are imported before pytest starts, so it cannot rewrite their own asserts.
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)


def module_name(module: str) -> str:
    return f"{PACKAGE}." + module.removesuffix(".py").replace("/", ".")


def targets() -> list[str]:
    domain = sorted(
        f"domain/{p.name}"
        for p in (ROOT / PACKAGE / "domain").glob("*.py")
        if p.name != "__init__.py"
    )
    return domain + list(EXTRA_TARGETS)


def tests_for(module: str) -> tuple[str, ...]:
    """The module's tests: tests/<folder>/test_<name>.py and test_<name>_*.py, unless listed."""
    if module in TESTS:
        return TESTS[module]
    folder, stem = module.rsplit("/", 1)[0], Path(module).stem
    found = [*(ROOT / "tests" / folder).glob(f"test_{stem}.py")]
    found += sorted((ROOT / "tests" / folder).glob(f"test_{stem}_*.py"))
    if found:
        return tuple(str(p.relative_to(ROOT)) for p in found)
    return (f"tests/{folder}",)


# --- equivalent mutants ---------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    module: str
    mutant: str
    reason: str


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("equivalent", []):
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise SystemExit(f"{path.name}: the entry for {entry.get('mutant')!r} gives no reason")
        out.append(Equivalent(str(entry["module"]), str(entry["mutant"]), reason))
    return out


# --- running --------------------------------------------------------------------------------


class _MutantLoader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module from mutated source; every other import is left alone."""

    def __init__(self, name: str, source: str, filename: str) -> None:
        self.name = name
        self.code = compile(source, filename, "exec", dont_inherit=True)
        self.filename = filename

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.filename)

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = self.filename
        exec(self.code, module.__dict__)


class _Coverage:
    """Which tests run which lines of the module (lines run at import count for every test), and
    how long each test takes: a mutant's tests run quickest first, so most stop within a second."""

    def __init__(self, filename: str, module: str) -> None:
        self.filename = filename
        self.module = module
        self.current = ALL_TESTS
        self.lines: dict[int, set[str]] = {}
        self.seconds: dict[str, float] = {}

    def start(self) -> None:
        sys.settrace(self._global)

    def _global(self, frame: FrameType, event: str, arg: object) -> TraceFn | None:
        return self._local if frame.f_code.co_filename == self.filename else None

    def _local(self, frame: FrameType, event: str, arg: object) -> TraceFn | None:
        if event == "line":
            self.lines.setdefault(frame.f_lineno, set()).add(self.current)
        return self._local

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        self.current = item.nodeid
        # A function cached by an earlier test would not run its lines for this one, and this
        # test would not be chosen for a mutant there: each test starts with empty caches.
        for value in vars(sys.modules.get(self.module, sys)).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
        yield
        self.current = ALL_TESTS

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def save(self, path: str) -> None:
        order = sorted(self.seconds, key=self.seconds.__getitem__)  # stable: ties keep their order
        data = {"order": order, "lines": {line: sorted(ids) for line, ids in self.lines.items()}}
        Path(path).write_text(json.dumps(data), encoding="utf-8")


@dataclass(frozen=True)
class Coverage:
    order: list[str]  # every test, quickest first
    lines: dict[int, set[str]]


def _child(
    module: str, source: str | None, tests: Sequence[str], scratch: str, coverage: str | None
) -> None:
    """In the forked child: install the mutant, run the tests, exit with pytest's code."""
    os.setsid()
    if not os.environ.get("ZHIQIAN_MUTATION_OUTPUT"):  # set it to see pytest's output
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    code = 3
    try:
        from hypothesis import settings

        settings.load_profile("mutation")
        filename = str(ROOT / PACKAGE / module)
        if source is not None:
            sys.meta_path.insert(0, _MutantLoader(module_name(module), source, filename))
        plugins: list[object] = []
        tracer = _Coverage(filename, module_name(module)) if coverage else None
        if tracer is not None:
            plugins.append(tracer)
            tracer.start()
        basetemp = f"--basetemp={scratch}/{os.getpid()}"
        code = int(pytest.main([*_PYTEST_ARGS, basetemp, *tests], plugins=plugins))
        if tracer is not None and coverage is not None:
            sys.settrace(None)
            tracer.save(coverage)
    finally:
        os._exit(code)


def _prepare_parent(tests: Sequence[str]) -> None:
    """Import, once, the third-party libraries the tests load (never our own modules)."""
    probe = (
        "import json, sys, pytest\n"
        f"pytest.main({[*_PYTEST_ARGS, '--collect-only', *tests]!r})\n"
        "names = sorted(sys.modules)\n"
        "sys.__stdout__.write('\\n' + json.dumps(names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    names = json.loads(out.strip().splitlines()[-1]) if out.strip() else []
    ours = (PACKAGE, "tests", "conftest", "__main__")
    for name in names:
        if name.split(".")[0] in ours or name.startswith("test_"):
            continue
        try:
            importlib.import_module(name)
        except Exception:
            continue
    import hypothesis

    # The same examples every run, and no check that depends on the machine's speed.
    hypothesis.settings.register_profile(
        "mutation",
        database=None,
        derandomize=True,
        deadline=None,
        print_blob=False,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed | timeout | survived | equivalent
    seconds: float
    reason: str = ""


@dataclass
class Running:
    pid: int
    mutant: Mutant
    started: float
    limit: float


@dataclass
class ModuleResult:
    module: str
    outcomes: list[Outcome] = field(default_factory=list)
    stale: list[Equivalent] = field(default_factory=list)
    baseline: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def score(self) -> float:
        if not self.outcomes:
            return 100.0
        explained = len(self.outcomes) - self.count("survived")
        return 100.0 * explained / len(self.outcomes)


def _fork(
    module: str,
    source: str | None,
    tests: Sequence[str],
    scratch: str,
    coverage: str | None = None,
) -> int:
    pid = os.fork()
    if pid == 0:
        _child(module, source, tests, scratch, coverage)
    return pid


def _reap(pid: int, scratch: str) -> None:
    shutil.rmtree(Path(scratch, str(pid)), ignore_errors=True)


def _baseline(module: str, tests: Sequence[str], scratch: str) -> tuple[float, Coverage, list[str]]:
    """Run the tests unchanged: how long they take, which of them run each line, and whether
    they need tests/conftest.py (the rules' tests do not; skipping it saves a second a mutant)."""
    coverage = os.path.join(scratch, "coverage.json")
    for options in (["--noconftest"], []):
        pid = _fork(module, None, [*options, *tests], scratch, coverage)
        _, status = os.waitpid(pid, 0)
        _reap(pid, scratch)
        if os.waitstatus_to_exitcode(status) == 0:
            break
    else:
        raise SystemExit(
            f"mutation: the tests of {module} fail without any mutant ({' '.join(tests)}); "
            "fix them first (ZHIQIAN_MUTATION_OUTPUT=1 shows pytest's output)"
        )
    data = json.loads(Path(coverage).read_text(encoding="utf-8"))
    started = time.monotonic()
    pid = _fork(module, None, [*options, *tests], scratch)  # timed without the tracer's cost
    os.waitpid(pid, 0)
    _reap(pid, scratch)
    lines = {int(k): set(v) for k, v in data["lines"].items()}
    return time.monotonic() - started, Coverage(data["order"], lines), options


def _selected(mutant: Mutant, coverage: Coverage) -> list[str]:
    """The tests that run the mutated statement (all of them for a line run at import), quickest
    first; none when no test runs it."""
    first, last = mutant.lines
    ids: set[str] = set()
    for line in range(first, last + 1):
        ids.update(coverage.lines.get(line, ()))
    return [t for t in coverage.order if ALL_TESTS in ids or t in ids]


def _explained(outcome: Outcome, known: dict[str, Equivalent]) -> Outcome:
    if outcome.status == "survived" and outcome.mutant.key in known:
        return Outcome(
            outcome.mutant, "equivalent", outcome.seconds, known[outcome.mutant.key].reason
        )
    return outcome


def run_module(
    module: str,
    mutants: list[Mutant],
    equivalents: list[Equivalent],
    *,
    jobs: int,
    full: bool,
    scratch: str,
    use_coverage: bool = True,
) -> ModuleResult:
    tests = tests_for(module)
    result = ModuleResult(module)
    known = {e.mutant: e for e in equivalents if e.module == module}
    if full:
        keys = {m.key for m in mutants}
        result.stale = [e for k, e in known.items() if k not in keys]
    result.baseline, coverage, options = _baseline(module, tests, scratch)
    limit = max(20.0, 4 * result.baseline)
    queue = list(mutants)
    running: list[Running] = []
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            selected = _selected(mutant, coverage) if use_coverage else list(tests)
            if not selected:
                result.outcomes.append(
                    _explained(Outcome(mutant, "survived", 0.0, "no test runs this line"), known)
                )
                continue
            pid = _fork(module, mutated_source(mutant), [*options, *selected], scratch)
            running.append(Running(pid, mutant, time.monotonic(), limit))
        time.sleep(0.02)
        for job in list(running):
            pid, status = os.waitpid(job.pid, os.WNOHANG)
            elapsed = time.monotonic() - job.started
            if pid == 0 and elapsed < job.limit:
                continue
            if pid == 0:
                os.killpg(job.pid, signal.SIGKILL)
                os.waitpid(job.pid, 0)
                outcome = Outcome(job.mutant, "timeout", elapsed)
            else:
                # Any failure counts: a failing test (1), and a module that no longer imports
                # (2, or 4 when pytest then finds none of the tests it was given).
                code = os.waitstatus_to_exitcode(status)
                outcome = Outcome(job.mutant, "survived" if code == 0 else "killed", elapsed)
            _reap(job.pid, scratch)
            result.outcomes.append(_explained(outcome, known))
            running.remove(job)
            _progress(result, len(mutants))
    result.outcomes.sort(key=lambda o: o.mutant.index)
    return result


def _progress(result: ModuleResult, total: int) -> None:
    if sys.stderr.isatty():
        done = len(result.outcomes)
        sys.stderr.write(f"\r{result.module}: {done}/{total} ")
        sys.stderr.flush()
        if done == total:
            sys.stderr.write("\n")


# --- choosing what to run -------------------------------------------------------------------


def _git(*args: str) -> str | None:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def changed_targets() -> tuple[list[str], str, bool]:
    """Modules whose source or tests the change touches, why, and whether to sample instead."""
    base = None
    head = _git("rev-parse", "HEAD")
    if _git("rev-parse", "--verify", "-q", "origin/main") is not None:
        merge_base = _git("merge-base", "HEAD", "origin/main")
        if merge_base and merge_base != head:
            base, against = merge_base, "the merge base with origin/main"
    if base is None and _git("rev-parse", "--verify", "-q", "HEAD~1") is not None:
        base, against = _git("rev-parse", "HEAD~1"), "the previous commit"
    if base is None:
        return (
            targets(),
            "no origin/main and no previous commit to compare with (a fresh clone without "
            "history): a fixed sample of every module instead",
            True,
        )
    diff = _git("diff", "--name-only", base) or ""
    changed = set(diff.splitlines())
    if {"tools/mutation.py", "tools/mutation-equivalents.toml"} & changed:
        return targets(), f"the mutation runner changed since {against}: a fixed sample", True
    picked = [
        m
        for m in targets()
        if f"{PACKAGE}/{m}" in changed
        or any(t in changed or any(c.startswith(t + "/") for c in changed) for t in tests_for(m))
    ]
    return picked, f"modules changed since {against} ({base[:10]})", False


# --- reporting ------------------------------------------------------------------------------


def survivors(result: ModuleResult) -> list[str]:
    """What keeps a module from passing: unexplained survivors and stale explanations."""
    lines = []
    for o in result.outcomes:
        if o.status == "survived":
            why = f" ({o.reason})" if o.reason else ""
            lines.append(f"SURVIVED {o.mutant.label}{why}")
    lines += [f"STALE {e.module}: no such mutant any more: {e.mutant}" for e in result.stale]
    return lines


def report(results: list[ModuleResult]) -> bool:
    """The score table; True when every module reaches the threshold with nothing unexplained."""
    print(
        f"{'module':<26}{'mutants':>8}{'killed':>8}{'timeout':>8}{'equiv.':>8}"
        f"{'survived':>9}{'score':>8}"
    )
    for r in results:
        print(
            f"{r.module:<26}{len(r.outcomes):>8}{r.count('killed'):>8}{r.count('timeout'):>8}"
            f"{r.count('equivalent'):>8}{r.count('survived'):>9}{r.score:>7.1f}%"
        )
    return all(r.score >= THRESHOLD and not survivors(r) for r in results)


def show(key: str) -> None:
    for module in targets():
        for mutant in find_mutants(module):
            if key in (mutant.key, mutant.label, str(mutant.index)) or mutant.label.endswith(key):
                original = ast.unparse(ast.parse(source_of(module)))
                diff = difflib.unified_diff(
                    original.splitlines(),
                    mutated_source(mutant).splitlines(),
                    f"a/{module}",
                    f"b/{module}",
                    n=2,
                    lineterm="",
                )
                print(mutant.label)
                print("\n".join(diff))
                return
    raise SystemExit(f"mutation: no mutant {key!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="e.g. domain/money.py (default: all)")
    parser.add_argument("--changed", action="store_true", help="only modules the change touches")
    parser.add_argument("--sample", action="store_true", help=f"every {SAMPLE_STRIDE}th mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--show", metavar="MUTANT", help="print one mutant as a diff")
    parser.add_argument(
        "--all-tests",
        action="store_true",
        help="run every test of the module per mutant, not only those that run the mutated line",
    )
    parser.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)

    if os.environ.get("PYTHONHASHSEED") != "0":
        # Set and iteration orders must not differ between runs.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        return subprocess.run([sys.executable, __file__, *sys.argv[1:]], env=env).returncode
    os.chdir(ROOT)
    # As `python -m pytest` does: the tests import `tests.…`, and the code is this checkout's
    # (not whatever copy is installed), so a copy of the tree can be tested while work goes on.
    sys.path.insert(0, str(ROOT))
    if args.show:
        show(args.show)
        return 0

    modules = [m.removeprefix(f"{PACKAGE}/") for m in args.modules] or targets()
    unknown = [m for m in modules if m not in targets()]
    if unknown:
        parser.error(f"not a module of the mutation run: {', '.join(unknown)}")
    sample = args.sample
    if args.changed:
        modules, why, sample_instead = changed_targets()
        sample = sample or sample_instead
        if not modules:
            print(f"mutation: skipped — no domain module, linebreak.py or their tests in the {why}")
            return 0
        print(f"mutation: {why}: {', '.join(modules)}{' (sample)' if sample else ''}")

    plan = {}
    for module in modules:
        mutants = find_mutants(module)
        plan[module] = mutants[::SAMPLE_STRIDE] if sample else mutants
    if args.list:
        for mutants in plan.values():
            for m in mutants:
                print(f"{m.index:>4} {m.label}")
        return 0

    equivalents = load_equivalents()
    _prepare_parent(sorted({t for m in modules for t in tests_for(m)}))
    # Every child shares the preloaded objects; frozen, they are never scanned by its collector.
    gc.freeze()
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="zhiqian-mutation-") as scratch:
        for module in modules:
            result = run_module(
                module,
                plan[module],
                equivalents,
                jobs=max(1, args.jobs),
                full=not sample,
                scratch=scratch,
                use_coverage=not args.all_tests,
            )
            results.append(result)
            print(
                f"mutation: {module}: {len(result.outcomes)} mutants, "
                f"{result.count('survived')} survived, {result.score:.1f}% "
                f"({time.monotonic() - started:.0f} s)",
                *survivors(result),
                sep="\n",
                flush=True,
            )
    ok = report(results)
    print(
        f"mutation: {sum(len(r.outcomes) for r in results)} mutants in "
        f"{time.monotonic() - started:.0f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
