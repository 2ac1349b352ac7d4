"""What day and time it is for the app: one clock the desktop and the command line read, the
system's unless fixed (a test, the screenshots, a demonstration on a given day), in the court's
time zone.

Use cases never read the system clock for "today": they take the day (``today: date``) from the
caller, who asks its clock. Times stored on records (``created_at``, a log's time) are aware UTC
(``now``); the day a clerk sees is the date in the court's time zone, a court setting
(``court_zone``, default Asia/Shanghai) that this module alone reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.dues import DEFAULT_COURT_ZONE, court_date
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core.transactions import reads
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CourtSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def _known_zones() -> frozenset[str]:
    """The names the zone database lists, read once per process: listing them walks the zone
    folders (16 ms), and every write that refreshes a case's deadlines asks for the court's zone."""
    return frozenset(available_timezones())


def zone_named(name: str) -> ZoneInfo:
    """The time zone of an IANA name (Asia/Shanghai, Asia/Urumqi), or one clear refusal."""
    text = name.strip()
    # ZoneInfo also opens any file path under the zone folders ("../", "posixrules"): only the
    # names the zone database lists are a court's zone.
    if text not in _known_zones():
        raise UserError(
            f"时区“{text}”不是有效的时区名称；请填写如 Asia/Shanghai（北京时间）或 Asia/Urumqi 这样的名称",
            field="time_zone",
        )
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"本机缺少时区“{text}”的数据；请改用 {DEFAULT_COURT_ZONE}", field="time_zone"
        ) from None


DEFAULT_ZONE = ZoneInfo(DEFAULT_COURT_ZONE)


@reads
def court_zone(session: Session) -> ZoneInfo:
    """The court's time zone, as set in 设置 (the default before the court is set up)."""
    name = session.scalar(select(CourtSettings.time_zone).limit(1))
    if not name or name == DEFAULT_COURT_ZONE:
        # Nearly every court: no need to list the zone database (16 ms) to know Beijing time.
        return DEFAULT_ZONE
    try:
        return zone_named(name)
    except UserError:
        # A zone this PC's zone database lacks must not stop the app from opening: the default.
        return DEFAULT_ZONE


@dataclass
class Clock:
    now: Callable[[], datetime] = utc_now
    """The moment, aware UTC (logins, lock-outs, the time of a call)."""
    zone: ZoneInfo = field(default=DEFAULT_ZONE)
    """The court's time zone: the day of a moment is the day there."""
    day: date | None = None
    """A fixed date (tests, the screenshots, a demonstration), else the court's date now."""

    @classmethod
    def fixed(cls, day: date, now: Callable[[], datetime] = utc_now) -> Clock:
        """A clock whose date is always ``day``."""
        return cls(now=now, day=day)

    def today(self) -> date:
        """The court's date (a due-list, a notice's date, a default in a form)."""
        return self.day if self.day is not None else court_date(self.now(), self.zone)

    def date_of(self, moment: datetime) -> date:
        """The court's date of a stored moment."""
        return court_date(moment, self.zone)

    def use_zone_of(self, db: Database) -> None:
        """Take the court's time zone from its settings (when the database opens, after 设置)."""
        self.zone = court_zone(db)

    def local_now(self) -> datetime:
        """The moment as the desk's wall-clock time, without a zone (backup file names)."""
        return self.now().astimezone().replace(tzinfo=None)
