"""Zip files and folders written and read safely: file names valid on Windows and in a zip, a
package built under a temporary name and fsynced before it is moved into place, and a package from
outside read member by member with every name, size and compression ratio checked first (a
hostile or malformed archive is refused before anything is read)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.store.outputs import check_output_file, check_output_folder
from zhiqian_desktop.store.private import DIR_MODE, FILE_MODE, open_private

# Limits for reading a package that came from outside (a zip bomb or a hostile archive).
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_RATIO = 200
CHUNK = 1 << 20
COMPRESSED_SUFFIXES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".zip",
    ".rar",
    ".7z",
    ".mp3",
    ".mp4",
    ".m4a",
    ".amr",
    ".heic",
    ".webp",
    ".docx",
    ".xlsx",
    ".gz",
}


# --- file names -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_name(name: str, limit: int = 80) -> str:
    """A file name that is valid on Windows and in a zip: no separators, no reserved names."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}" if name else "未命名"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: limit - len(ext) - 1] + "." + ext
        else:
            name = name[:limit]
    return name


_DRIVE = re.compile(r"^[A-Za-z]:")


def member_name_problem(name: str) -> str | None:
    """Why a path inside a package is not acceptable, or None when it is."""
    if not name:
        return "文件名为空"
    if "\x00" in name:
        return "文件名含空字符"
    if "\\" in name:
        return "文件名含反斜杠"
    if name.startswith("/"):
        return "绝对路径"
    if _DRIVE.match(name):
        return "含盘符的路径"
    parts = name.rstrip("/").split("/")
    if any(p == ".." for p in parts):
        return "含“..”的路径（指向包外）"
    if any(p in ("", ".") for p in parts):
        return "路径含空的或“.”的一级"
    return None


def fold_name(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class Sink:
    """Where package files go while the package is built (a temporary folder or zip)."""

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        raise NotImplementedError

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


def fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderSink(Sink):
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(mode=DIR_MODE)
        self.dirs = {root}

    def _target(self, path: str) -> Path:
        target = self.root.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        self.dirs.add(target.parent)
        return target

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        with os.fdopen(open_private(self._target(path)), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return hashlib.sha256(data).hexdigest(), len(data)

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, os.fdopen(open_private(self._target(path)), "wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        return digest.hexdigest(), size

    def finish(self) -> None:
        for d in sorted(self.dirs, key=lambda p: len(p.parts), reverse=True):
            fsync_dir(d)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class ZipSink(Sink):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: IO[bytes] = os.fdopen(open_private(path), "wb")
        self.zf = zipfile.ZipFile(self.fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6)

    def _info(self, path: str) -> zipfile.ZipInfo:
        # A zip entry carries a wall-clock time without a zone; unzip tools read it as the PC's.
        info = zipfile.ZipInfo(path, date_time=datetime.now().timetuple()[:6])
        stored = PurePosixPath(path).suffix.lower() in COMPRESSED_SUFFIXES
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
        return info

    def add_bytes(self, path: str, data: bytes) -> tuple[str, int]:
        self.zf.writestr(self._info(path), data)
        return hashlib.sha256(data).hexdigest(), len(data)

    def add_file(self, path: str, source: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, self.zf.open(self._info(path), "w", force_zip64=True) as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def finish(self) -> None:
        self.zf.close()
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # the file is deleted right after
            self.zf.close()
        self.fh.close()
        self.path.unlink(missing_ok=True)


def partial_prefix(dest: Path) -> str:
    return f".{dest.name}.partial-"


def clean_leftovers(dest: Path) -> None:
    """Remove temporary packages a crash left beside this destination."""
    prefix = partial_prefix(dest)
    for p in dest.parent.glob(f"{glob_escape(prefix)}*"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def check_destination(dest: Path, *, as_zip: bool, force: bool = False) -> Path:
    """Where a package may be written (store/outputs.py): a zip file (an existing one replaced
    only with ``force``) or a new folder; returns the absolute path."""
    if as_zip:
        if dest.suffix.lower() != ".zip":
            raise UserError(f"压缩包文件名“{dest.name}”应以 .zip 结尾")
        return check_output_file(dest, force=force)
    return check_output_folder(dest, new=True, what="移送材料")


class PackageRefused(Exception):
    pass


class Reader:
    def names(self) -> list[str]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def read_member(reader: Reader, name: str, limit: int) -> bytes:
    """A small member (a manifest, a signature) read whole, at most ``limit`` bytes."""
    if name not in reader.names():
        raise PackageRefused(f"包内缺少 {name}")
    if reader.size(name) > limit:
        raise PackageRefused(f"包内的 {name} 过大")
    with reader.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise PackageRefused(f"包内的 {name} 过大")
    return data


class FolderReader(Reader):
    def __init__(self, root: Path) -> None:
        self.root = root
        self._names: list[str] = []
        self.links: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            base = Path(dirpath)
            for d in list(dirnames):
                if (base / d).is_symlink():
                    self.links.append((base / d).relative_to(root).as_posix())
                    dirnames.remove(d)
            for f in filenames:
                p = base / f
                rel = p.relative_to(root).as_posix()
                if p.is_symlink() or not p.is_file():
                    self.links.append(rel)
                else:
                    self._names.append(unicodedata.normalize("NFC", rel))
            if len(self._names) > MAX_MEMBERS:
                raise PackageRefused(f"文件数超过{MAX_MEMBERS}个")

    def names(self) -> list[str]:
        return self._names

    def size(self, name: str) -> int:
        return self.root.joinpath(*name.split("/")).stat().st_size

    def open(self, name: str) -> IO[bytes]:
        return self.root.joinpath(*name.split("/")).open("rb")


class ZipReader(Reader):
    def __init__(self, path: Path) -> None:
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
            # Zips made by Explorer on Chinese Windows carry GBK names without the UTF-8 flag.
            if any(not i.flag_bits & 0x800 and not i.filename.isascii() for i in infos):
                self.zf.close()
                self.zf = zipfile.ZipFile(path, metadata_encoding="gbk")
                infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError) as exc:
            raise PackageRefused(f"不是有效的 zip 文件（{exc}）") from exc
        if len(infos) > MAX_MEMBERS:
            self.zf.close()
            raise PackageRefused(f"压缩包内文件数 {len(infos)} 超过上限 {MAX_MEMBERS}")
        seen: dict[str, str] = {}
        total = 0
        self.infos: dict[str, zipfile.ZipInfo] = {}
        try:
            for info in infos:
                name = info.filename
                problem = member_name_problem(name)
                if problem:
                    raise PackageRefused(f"压缩包内的“{name}”是{problem}，可能是恶意构造的压缩包")
                folded = fold_name(name.rstrip("/"))
                if folded in seen:
                    raise PackageRefused(f"压缩包内有重复的文件名“{name}”")
                seen[folded] = name
                if info.is_dir():
                    continue
                if info.flag_bits & 0x1:
                    raise PackageRefused(f"压缩包内的“{name}”已加密，无法核对")
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise PackageRefused("压缩包解压后总大小超过上限")
                if info.file_size > CHUNK and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise PackageRefused(f"压缩包内的“{name}”压缩比异常（疑似压缩炸弹）")
                self.infos[unicodedata.normalize("NFC", name)] = info
        except PackageRefused:
            self.zf.close()
            raise

    def names(self) -> list[str]:
        return list(self.infos)

    def size(self, name: str) -> int:
        return self.infos[name].file_size

    def open(self, name: str) -> IO[bytes]:
        return self.zf.open(self.infos[name])

    def close(self) -> None:
        self.zf.close()


def hash_member(reader: Reader, name: str, limit: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with reader.open(name) as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            size += len(chunk)
            if size > limit:
                raise PackageRefused(f"“{name}”的实际大小超过登记的大小")
            digest.update(chunk)
    return digest.hexdigest(), size
