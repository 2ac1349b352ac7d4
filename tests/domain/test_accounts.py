"""The password rule, the same for setup, the user list, the desk and the command line."""

from __future__ import annotations

import pytest

from zhiqian_desktop.domain.accounts import MAX_PASSWORD, MIN_PASSWORD, check_new_password
from zhiqian_desktop.domain.errors import UserError


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("abc", "至少6位"),
        ("a" * (MIN_PASSWORD - 1), "至少6位"),
        ("x" * (MAX_PASSWORD + 1), "最多128位"),
        ("      ", "全是空格"),
        ("abc\x00def", "控制字符"),
        ("abc\x1fdef", "控制字符"),  # the last C0 control
        ("abc\x7fdef", "控制字符"),  # DEL
        ("abc\x85def", "控制字符"),  # a C1 control (next line)
        ("111111", "同一个字符"),
        ("ZhangWei", "与用户名相同"),
    ],
)
def test_refused(password: str, says: str) -> None:
    with pytest.raises(UserError) as refused:
        check_new_password(password, "zhangwei")
    assert says in refused.value.message
    assert refused.value.field == "password"


@pytest.mark.parametrize(
    "password",
    ["abc123", "a" * 5 + "b", "x" * (MAX_PASSWORD - 1) + "y", "法院 2026", "~abc~1", "\xa0abc12"],
)
def test_accepted(password: str) -> None:
    check_new_password(password, "zhangwei")
    check_new_password(password)
