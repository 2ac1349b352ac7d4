"""How a use case meets the database: the GUI and the command line pass the ``Database``; the use
case opens its own unit of work (a write) or reader (a read).

A use case is a function whose first parameter is the session it works in, marked ``@writes`` or
``@reads``::

    @writes
    def record_payment(session: Session, actor: Actor, case_id: str, ...) -> Payment:
        ...

    record_payment(db, actor, case_id, ...)       # the GUI, the CLI: one transaction of its own
    record_payment(session, actor, case_id, ...)  # another use case: inside the caller's transaction

Called with the ``Database`` it opens ``db.unit_of_work()`` (committed when it returns, rolled
back on any error) or ``db.reader()`` (a snapshot that never waits for a writer). Called with a
session it joins that session's transaction, so that several steps commit together: that is how
services compose, and how the tests arrange several records in one transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from zhiqian_desktop.store.database import Database

P = ParamSpec("P")
R = TypeVar("R")


def writes(
    fn: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Database | Session, P], R]:
    """A use case that changes data: given the Database, it runs in a unit of work of its own."""
    return _use_case(fn, Database.unit_of_work)


def reads(
    fn: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Database | Session, P], R]:
    """A use case that only reads: given the Database, it runs in a read-only session of its own."""
    return _use_case(fn, Database.reader)


def _use_case(
    fn: Callable[Concatenate[Session, P], R],
    open_session: Callable[[Database], AbstractContextManager[Session]],
) -> Callable[Concatenate[Database | Session, P], R]:
    @functools.wraps(fn)
    def run(where: Database | Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(where, Session):
            return fn(where, *args, **kwargs)
        with open_session(where) as session:
            return fn(session, *args, **kwargs)

    return run
