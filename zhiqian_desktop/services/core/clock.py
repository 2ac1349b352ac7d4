"""What day and time it is for the app: one clock the desktop and the command line read, the
system's unless fixed (a test, the screenshots, a demonstration on a given day).

Use cases never read the system clock for "today": they take the day (``today: date``) from the
caller, who asks its clock. Times stored on records (``created_at``, a log's time) are aware UTC
(``now``); the day a clerk sees is the court's date (``today``, Beijing time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from zhiqian_desktop.domain.dues import court_date


def utc_now() -> datetime:
    return datetime.now(UTC)


def court_today() -> date:
    """The date at the court (Beijing time), whatever the desk's own time zone."""
    return court_date(utc_now())


@dataclass(frozen=True)
class Clock:
    today: Callable[[], date] = court_today
    """The court's date (a due-list, a notice's date, a default in a form)."""
    now: Callable[[], datetime] = utc_now
    """The moment, aware UTC (logins, lock-outs, the time of a call)."""

    @classmethod
    def fixed(cls, day: date, now: Callable[[], datetime] = utc_now) -> Clock:
        """A clock whose date is always ``day``."""
        return cls(today=lambda: day, now=now)

    def local_now(self) -> datetime:
        """The moment as the desk's wall-clock time, without a zone (backup file names)."""
        return self.now().astimezone().replace(tzinfo=None)
