"""What every page and dialog of the desktop app is given: the database, who is working, the clock
and the court's settings (one ``AppContext``, built when the window opens)."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.clock import Clock
from zhiqian_desktop.services.core.settings import get_settings
from zhiqian_desktop.store.database import Database
from zhiqian_desktop.store.models import CourtSettings


@dataclass
class AppContext:
    db: Database
    actor: Actor
    clock: Clock = field(default_factory=Clock)
    _settings: CourtSettings | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Every day the desk proposes or shows is a day in the court's time zone (a setting).
        self.clock.use_zone_of(self.db)

    @property
    def settings(self) -> CourtSettings:
        """The court's settings as last read (``reload_settings`` after they are saved)."""
        if self._settings is None:
            self._settings = get_settings(self.db)
        return self._settings

    def reload_settings(self) -> CourtSettings:
        self._settings = None
        self.clock.use_zone_of(self.db)
        return self.settings
