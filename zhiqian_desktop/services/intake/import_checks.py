"""A workbook comes from outside and is treated as hostile: its size, member count and compression
ratio are checked in the zip directory before anything is parsed, an encrypted file is named as
such, an Excel 97-2003 file is told apart (import_xls.py reads it), and XML with a DTD is refused."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import openpyxl.xml

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.intake.import_columns import (
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FLOOR,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


# --- the container checks (before any XML is parsed) --------------------------------------------


def refusal(path: Path, reason: str) -> UserError:
    return UserError(f"无法导入“{path.name}”：{reason}；未导入任何案件")


def damaged(path: Path, exc: BaseException, advice: str = "打开并重新保存后再导入") -> UserError:
    """A workbook the parser choked on: whatever failed, the file is damaged or not a workbook."""
    return refusal(
        path, f"工作簿已损坏或格式不正确（{type(exc).__name__}: {exc}）；请在 Excel 中{advice}"
    )


def too_many_rows(path: Path, rows: int, limit: int) -> UserError:
    """A sheet with more rows than any import may have, refused before its cells are read."""
    return refusal(
        path,
        f"工作表的数据超过 {limit:,} 行的上限（约{rows:,}行）；请删除多余的行，或分成几个文件分别导入",
    )


XLSX = "xlsx"
XLS = "xls"


def check_container(path: Path, refuse: Callable[[Path, str], UserError] = refusal) -> str:
    """Refuse what is not a plain, reasonably sized workbook, looking only at bytes and the zip
    directory; the format found, XLSX or XLS (an OLE compound file, checked further by xlrd).
    ``refuse``: the refusal's words (an import's by default; the outbox's result file has its own)."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():  # a folder, a device, a pipe (never opened)
            raise refuse(path, "这不是一个文件（是文件夹、设备或管道）；请选择 Excel 移交清单")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”；请检查文件名和位置") from None
    except OSError as exc:
        raise refuse(path, f"无法读取文件（{exc.strerror}）") from exc
    if size == 0:
        raise refuse(path, "文件是空的")
    if size > MAX_FILE_BYTES:
        raise refuse(
            path,
            f"文件有 {size / 1024 / 1024:.1f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限；"
            f"请分成几个文件（每个不超过 {MAX_DATA_ROWS:,} 行）",
        )
    if head == OLE_MAGIC:
        if _is_encrypted_ole(path):
            raise refuse(
                path,
                "工作簿设置了打开密码（已加密）；请在 Excel 中打开后取消密码"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码），另存后再导入",
            )
        return XLS
    if head[:4] != ZIP_MAGIC:
        raise refuse(path, "这不是 Excel 工作簿（.xlsx 或 .xls）文件；请选择用导入模板填写的工作簿")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(path, infos, refuse)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise refuse(path, "文件是压缩包但不是 Excel 工作簿；请选择 .xlsx 文件")
            types = zf.read("[Content_Types].xml")
            if b"spreadsheetml" not in types and b"ms-excel" not in types:
                raise refuse(
                    path,
                    "文件不是 Excel 工作簿（可能是 Word 或其他 Office 文件）；请选择 .xlsx 文件",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_prolog(path, zf, info, refuse)
        return XLSX
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise refuse(
            path, f"工作簿已损坏或不完整（{exc}）；请在 Excel 中打开并重新保存后再导入"
        ) from exc


def _is_encrypted_ole(path: Path) -> bool:
    """An encrypted OOXML file is an OLE compound file with an EncryptionInfo stream."""
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES)
    return _ENCRYPTION_STREAM in data


def _check_members(
    path: Path, infos: list[zipfile.ZipInfo], refuse: Callable[[Path, str], UserError]
) -> None:
    if len(infos) > MAX_MEMBERS:
        raise refuse(path, f"工作簿内部包含 {len(infos)} 个文件，超过 {MAX_MEMBERS} 个的上限")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse(path, "工作簿内容已加密；请在 Excel 中取消密码并另存后再导入")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(
                path,
                f"工作簿中的“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                "疑似恶意构造的文件",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise refuse(
            path,
            f"工作簿解压后有 {total / 1024 / 1024:.0f} MB，超过 "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB 的上限；请删除多余的行、图片或工作表，"
            f"或分成几个文件（每个不超过 {MAX_DATA_ROWS:,} 行）",
        )


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_prolog(
    path: Path,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    refuse: Callable[[Path, str], UserError],
) -> None:
    """Excel never writes a DTD; one in a part is an entity attack (billion laughs, external entity)."""
    with zf.open(info) as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if _DTD.search(head):
        raise refuse(path, f"工作簿中的“{info.filename}”含有 DTD 或实体声明，疑似恶意构造的文件")


def require_defusedxml() -> None:
    if not openpyxl.xml.DEFUSEDXML:
        raise UserError(
            "本机缺少 defusedxml 组件，无法安全读取 Excel 文件（防范 XML 炸弹）；"
            "请重新安装本系统或执行 pip install defusedxml 后再导入"
        )
