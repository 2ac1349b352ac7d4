"""Checks the shape of the package that import-linter's contracts do not: no import cycle and no
module over 800 lines.

Every import counts, wherever it stands: at the top of a module, inside a function, under
``if TYPE_CHECKING:``. An import placed inside a function still ties the two modules together (it
only hides the cycle until the function runs), so the graph of all imports must be acyclic.

    python tools/check_imports.py            # the zhiqian_desktop package of this checkout
    python tools/check_imports.py ROOT       # the zhiqian_desktop package under ROOT

Prints each cycle (the modules in it, and one import line per edge) and each module that is too
long; exit status 1 when there is any, 0 otherwise. The layer rules themselves are the
import-linter contracts in pyproject.toml (``lint-imports``); docs/architecture.md explains both.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "zhiqian_desktop"
MAX_LINES = 800


@dataclass
class Graph:
    files: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, dict[str, int]] = field(default_factory=dict)
    """module → {imported module: line of the first import}"""


def module_files(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours a dotted name lives in (``a.b.func`` → ``a.b``), or None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """Every dotted name ``module`` imports, with its line, wherever the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.append((source, node.lineno))
            # `from package import module` imports the module itself.
            found += [(f"{source}.{alias.name}", node.lineno) for alias in node.names]
    return found


def build_graph(root: Path) -> Graph:
    graph = Graph(files=module_files(root))
    for module, path in graph.files.items():
        targets: dict[str, int] = {}
        for name, line in imported_names(module, path):
            owner = _owner(name, graph.files)
            # A package's own __init__ runs before its modules anyway: not an edge of a cycle.
            if owner is None or owner == module or module.startswith(owner + "."):
                continue
            targets.setdefault(owner, line)
        graph.edges[module] = targets
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph.edges:
        if start in index:
            continue
        work = [(start, iter(graph.edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def long_modules(graph: Graph, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    long = []
    for module, path in graph.files.items():
        with path.open(encoding="utf-8") as f:
            count = sum(1 for _ in f)
        if count > limit:
            long.append((module, count))
    return long


def report(root: Path) -> list[str]:
    """The problems found under ``root``, one line each (empty when the package is in shape)."""
    graph = build_graph(root)
    lines: list[str] = []
    for component in cycles(graph):
        members = set(component)
        lines.append(f"import cycle among {len(component)} modules:")
        for module in component:
            for target, line in sorted(graph.edges[module].items()):
                if target in members:
                    where = graph.files[module].relative_to(root)
                    lines.append(f"    {where}:{line}: {module} imports {target}")
    for module, count in long_modules(graph):
        where = graph.files[module].relative_to(root)
        lines.append(f"{where}: {count} lines (at most {MAX_LINES}); split it by what it does")
    return lines


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    problems = report(root)
    for line in problems:
        print(line)
    modules = len(module_files(root))
    if problems:
        print(f"{modules} modules: the package is not in shape (see above)", file=sys.stderr)
        return 1
    print(f"{modules} modules: no import cycle, none over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
