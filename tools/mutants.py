"""Mutants of a module: every small change the mutation run tries, found in its syntax tree.

Operators: comparisons flipped (< to <= and to >=, == to !=, in to not in, is to is not), integer
constants moved by one, arithmetic and set operators swapped, and/or swapped, a `not` or a minus
sign dropped, a condition negated, a statement in a function deleted, a return value replaced by
None. Text (messages, f-strings, docstrings), annotations, decorators and imports are left alone.
Each mutant has a key, "function: before → after", that stays the same while that function is
unchanged: tools/mutation-equivalents.toml names equivalent mutants by it.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "zhiqian_desktop"


@dataclass(frozen=True)
class Mutant:
    module: str  # path under zhiqian_desktop/, e.g. domain/money.py
    index: int
    line: int
    key: str  # "qualname: before → after", stable while the function is unchanged
    operator: str
    path: tuple[tuple[str, int | None], ...]  # where the node sits in the module's tree
    replacement: ast.AST | None  # None: the statement is replaced by `pass`
    lines: tuple[int, int]  # the statement it is in: a test that runs these lines may notice

    @property
    def label(self) -> str:
        return f"{self.module}:{self.line} [{self.operator}] {self.key}"


_FLIP: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
_DELETABLE = (
    ast.Expr,
    ast.AugAssign,
    ast.Raise,
    ast.If,
    ast.For,
    ast.While,
    ast.Continue,
    ast.Break,
    ast.Return,
)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _is_negative_int(node: ast.AST) -> bool:
    """-1 is one constant to move by one, not a minus sign and a 1."""
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    )


def _returns_a_value(node: ast.Return) -> bool:
    """A value worth replacing by None (a returned True or False is flipped as a constant)."""
    value = node.value
    return value is not None and not (
        isinstance(value, ast.Constant) and value.value in (None, True, False)
    )


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and _is_text(node.value)


class _Finder:
    """Walks a module's tree and lists every mutation, in source order."""

    def __init__(self, module: str, tree: ast.Module) -> None:
        self.module = module
        self.found: list[Mutant] = []
        self._seen: dict[str, int] = {}
        self._scope: list[str] = []
        self._statement: ast.stmt | None = None
        self._walk(tree, ())

    # A mutation is described by the smallest enclosing expression that reads well on its own.
    def _describe(self, chain: list[ast.AST], before: ast.AST, after: ast.AST | None) -> str:
        if after is None:
            text = ast.unparse(before).splitlines()[0]
            return f"{'.'.join(self._scope) or '<module>'}: delete `{text}`"
        node, new = before, after
        for parent in reversed(chain):
            if not isinstance(parent, ast.expr) or len(ast.unparse(parent)) > 60:
                break
            swapped = copy.deepcopy(parent)
            for name, value in ast.iter_fields(parent):
                if value is node:
                    setattr(swapped, name, new)
                elif isinstance(value, list) and any(v is node for v in value):
                    setattr(swapped, name, [new if v is node else v for v in value])
            node, new = parent, swapped
        where = ".".join(self._scope) or "<module>"
        return f"{where}: {ast.unparse(node)} → {ast.unparse(new)}"

    def _add(
        self,
        node: ast.AST,
        path: tuple[tuple[str, int | None], ...],
        chain: list[ast.AST],
        operator: str,
        replacement: ast.AST | None,
    ) -> None:
        key = self._describe(chain, node, replacement)
        count = self._seen.get(key, 0) + 1
        self._seen[key] = count
        if count > 1:
            key += f" #{count}"
        self.found.append(
            Mutant(
                self.module,
                len(self.found),
                getattr(node, "lineno", 0),
                key,
                operator,
                path,
                replacement,
                _header(node if isinstance(node, ast.stmt) else self._statement),
            )
        )

    def _mutations(self, node: ast.AST, chain: list[ast.AST]) -> Iterator[tuple[str, ast.AST]]:
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for other in _FLIP.get(type(op), ()):
                    new = copy.deepcopy(node)
                    new.ops[i] = other()
                    yield "comparison", new
        elif isinstance(node, ast.BinOp) and type(node.op) in _SWAP:
            if not (_is_text(node.left) or _is_text(node.right)):
                yield "operator", ast.BinOp(node.left, _SWAP[type(node.op)](), node.right)
        elif isinstance(node, ast.BoolOp):
            other_op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            yield "boolean", ast.BoolOp(other_op, node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
            yield "unary", node.operand
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            yield "constant", ast.Constant(not node.value)
        elif (
            isinstance(node, ast.Constant)
            and type(node.value) is int
            and not (chain and _is_negative_int(chain[-1]))
        ):
            yield "constant", ast.Constant(node.value + 1)
            yield "constant", ast.Constant(node.value - 1)
        if _is_negative_int(node):
            value = -int(ast.literal_eval(node))
            yield "constant", ast.Constant(-value + 1)
            yield "constant", ast.Constant(-value - 1)

    def _condition(self, test: ast.expr) -> ast.expr | None:
        # Comparisons and and/or are mutated on their own; other tests are negated.
        if isinstance(test, ast.Compare | ast.BoolOp) or (
            isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        ):
            return None
        return ast.UnaryOp(ast.Not(), test)

    def _walk(
        self,
        node: ast.AST,
        path: tuple[tuple[str, int | None], ...],
        chain: list[ast.AST] | None = None,
        in_function: bool = False,
    ) -> None:
        chain = chain or []
        if _is_text(node) and isinstance(node, ast.JoinedStr):
            return  # messages: their wording is checked by the tests, not by mutation
        if isinstance(node, ast.ImportFrom | ast.Import):
            return
        if isinstance(node, ast.expr):
            for operator, replacement in self._mutations(node, chain):
                self._add(node, path, chain, operator, replacement)
        if isinstance(node, ast.Return) and node.value is not None and _returns_a_value(node):
            self._add(node.value, (*path, ("value", None)), [], "return", ast.Constant(None))
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            negated = self._condition(node.test)
            if negated is not None:
                self._add(node.test, (*path, ("test", None)), [node], "condition", negated)

        scoped = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._scope.append(node.name)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns", "decorator_list", "type_comment"):
                continue
            if isinstance(node, ast.Raise) and name == "cause":
                continue
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if not isinstance(child, ast.AST):
                        continue
                    if isinstance(child, ast.stmt):
                        if _is_docstring(child) and i == 0:
                            continue
                        inside = in_function or isinstance(
                            node, ast.FunctionDef | ast.AsyncFunctionDef
                        )
                        if inside and self._deletable(node, name, i, child):
                            self._add(child, (*path, (name, i)), [], "delete", None)
                        outer, self._statement = self._statement, child
                        self._walk(child, (*path, (name, i)), [], inside)
                        self._statement = outer
                    else:
                        self._walk(child, (*path, (name, i)), [*chain, node], in_function)
            elif isinstance(value, ast.AST):
                self._walk(value, (*path, (name, None)), [*chain, node], in_function)
        if scoped:
            self._scope.pop()

    @staticmethod
    def _deletable(parent: ast.AST, field_name: str, i: int, stmt: ast.stmt) -> bool:
        if not isinstance(stmt, _DELETABLE):
            return False
        if isinstance(stmt, ast.Return):
            # The last return of a function is covered by replacing its value; an early
            # return is deleted to see whether falling through is noticed.
            body = getattr(parent, field_name)
            return not (
                isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and i == len(body) - 1
            )
        return True


def _header(stmt: ast.stmt | None) -> tuple[int, int]:
    """The lines of a statement, or of its header (``if …:``, ``for …:``) if it has a body."""
    if stmt is None:
        return (0, 0)
    end = stmt.end_lineno or stmt.lineno
    body = getattr(stmt, "body", None)
    if isinstance(body, list) and body:
        end = max(stmt.lineno, body[0].lineno - 1)
    return (stmt.lineno, end)


_SOURCES: dict[str, str] = {}


def source_of(module: str) -> str:
    """The module's text as first read: the mutants of a run all apply to the same text."""
    if module not in _SOURCES:
        _SOURCES[module] = (ROOT / PACKAGE / module).read_text(encoding="utf-8")
    return _SOURCES[module]


def find_mutants(module: str) -> list[Mutant]:
    return _Finder(module, ast.parse(source_of(module))).found


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse(source_of(mutant.module))
    parent: ast.AST = tree
    for name, index in mutant.path[:-1]:
        child = getattr(parent, name)
        parent = child[index] if index is not None else child
    name, index = mutant.path[-1]
    new = mutant.replacement if mutant.replacement is not None else ast.Pass()
    new = copy.deepcopy(new)
    if index is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new
    return ast.unparse(ast.fix_missing_locations(tree))
