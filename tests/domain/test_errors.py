"""The clerk's one error: its message is the whole line shown, and a stale edit is refused."""

from __future__ import annotations

import pytest

from zhiqian_desktop.domain.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    StaleEditError,
    UserError,
    check_version,
)


def test_the_message_is_what_is_shown() -> None:
    error = UserError("案号格式不正确；应为（年份）+法院代字+类型代字+序号+号", field="case_no")
    assert str(error) == error.message == "案号格式不正确；应为（年份）+法院代字+类型代字+序号+号"
    assert error.args == ("案号格式不正确；应为（年份）+法院代字+类型代字+序号+号",)
    assert error.field == "case_no"
    assert UserError("金额为空").field is None


@pytest.mark.parametrize("kind", [StaleEditError, PermissionDenied, NotFound])
def test_every_kind_is_a_user_error(kind: type[UserError]) -> None:
    error = kind("要更正的督促记录不存在；请刷新后重试")
    assert isinstance(error, UserError) and str(error) == "要更正的督促记录不存在；请刷新后重试"


def test_an_existing_output_says_whether_it_is_a_file_or_a_folder() -> None:
    file = AlreadyExists("文件“报表.xlsx”已存在，未覆盖；请另选文件名")
    assert isinstance(file, UserError) and file.folder is False
    assert str(file) == file.message == "文件“报表.xlsx”已存在，未覆盖；请另选文件名"
    assert file.args == ("文件“报表.xlsx”已存在，未覆盖；请另选文件名",)
    folder = AlreadyExists("文件夹“离线包”不是空的", folder=True)
    assert folder.folder is True and folder.message == "文件夹“离线包”不是空的"


def test_an_edit_on_the_current_version_goes_through() -> None:
    assert check_version(3, 3, "案件") is None


@pytest.mark.parametrize(("current", "expected"), [(4, 3), (3, 4), (1, 0)])
def test_an_edit_on_an_older_copy_is_refused(current: int, expected: int) -> None:
    with pytest.raises(StaleEditError) as refused:
        check_version(current, expected, "案件（2026）内0221执前督12号")
    assert str(refused.value) == (
        "案件（2026）内0221执前督12号在您打开之后已被他人修改并保存；"
        "您的输入仍保留在窗口中，请刷新后重新核对再保存"
    )
