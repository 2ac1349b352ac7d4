"""The rules for a user's account: what a password must be (the same at the desk, in the
administrator's user list, at setup and on the command line)."""

from __future__ import annotations

import unicodedata

from zhiqian_desktop.domain.errors import UserError

MIN_PASSWORD = 6
MAX_PASSWORD = 128


def check_new_password(password: str, username: str | None = None) -> None:
    """Refuse a password that is too short or too long, blank, with control characters, one
    character repeated (111111) or the user name itself."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少{MIN_PASSWORD}位；请重新输入", field="password")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"密码最多{MAX_PASSWORD}位；请重新输入", field="password")
    if not password.strip() or any(unicodedata.category(c) == "Cc" for c in password):
        raise UserError("密码不能全是空格，也不能含控制字符；请重新输入", field="password")
    if len(set(password)) == 1:
        raise UserError("密码不能是同一个字符重复（如 111111）；请换一个", field="password")
    if username is not None and password.casefold() == username.strip().casefold():
        raise UserError("密码不能与用户名相同；请换一个", field="password")
