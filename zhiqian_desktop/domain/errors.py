"""The one error a clerk is shown: bad input, a stale edit, a missing permission."""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input or state the user can act on.

    The message is one Chinese line saying what is wrong, where, and how to fix it.
    Anything that is not a UserError is a bug and goes to the crash path.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class StaleEditError(UserError):
    """Someone else saved the record after it was loaded; the edit is refused, not lost."""


class PermissionDenied(UserError):
    """The acting user's role does not allow this action."""


class NotFound(UserError):
    """A case number, document id or record that does not exist."""


class AlreadyExists(UserError):
    """An output would replace a file (or share a folder) the user did not say to replace."""

    def __init__(self, message: str, *, folder: bool = False) -> None:
        super().__init__(message)
        self.folder = folder


def check_version(current: int, expected: int, what: str) -> None:
    """Refuse an edit made on a copy older than the stored record (optimistic locking)."""
    if current != expected:
        raise StaleEditError(
            f"{what}在您打开之后已被他人修改并保存；您的输入仍保留在窗口中，请刷新后重新核对再保存"
        )
