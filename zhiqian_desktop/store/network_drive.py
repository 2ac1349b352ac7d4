"""Whether a database file lies on a network file system, where it must not be written.

SQLite in WAL mode keeps its lock table in shared memory beside the file (``-shm``), which
works only between processes of one computer: several desks writing one file over SMB or NFS
corrupt it sooner or later. A database on a network drive (a mapped drive letter, a UNC path,
an NFS or SMB mount on Linux) is therefore refused for writing, and the clerk is pointed to the
court server mode, which is how desks share one database.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path, PurePath, PureWindowsPath

from zhiqian_desktop.domain.errors import UserError

MOUNTS = Path("/proc/mounts")
NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ncpfs",
        "coda",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.smbnetfs",
        "fuse.gvfsd-fuse",
    }
)
DRIVE_REMOTE = 4
"""GetDriveTypeW's answer for a network drive."""


class NetworkDatabase(UserError):
    """A database file on a network file system, refused for writing."""


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes a space as \040, a tab as \011, a backslash as \134.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def linux_file_system(path: PurePath, mounts: Path | None = None) -> str | None:
    """The type of the file system holding ``path`` (the longest mount point above it), from
    ``/proc/mounts``; None when that cannot be read."""
    try:
        lines = (mounts or MOUNTS).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    target = PurePath(path)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = PurePath(_unescape_mount(fields[1]))
        if (target == point or point in target.parents) and (
            best is None or len(point.parts) >= best[0]
        ):
            best = (len(point.parts), fields[2])
    return best[1] if best else None


def _existing_real(path: Path) -> Path:
    """The nearest existing folder of ``path`` with its links resolved (the database file
    itself may not exist yet; the mount is the same)."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here.parent != here:
        here = here.parent
    try:
        return here.resolve()
    except OSError:
        return here


def windows_drive_type(root: str) -> int:
    """GetDriveTypeW for a drive root such as ``Z:\\``."""
    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009  (Windows only)
    return int(kernel32.GetDriveTypeW(root))


def windows_network_kind(path: PureWindowsPath) -> str | None:
    drive = path.drive
    if drive.startswith(("\\\\", "//")):
        return "网络共享路径"
    if drive and windows_drive_type(drive + "\\") == DRIVE_REMOTE:
        return f"网络驱动器 {drive}"
    return None


def network_kind(path: PurePath) -> str | None:
    """What network location ``path`` is on, in the clerk's words; None when it is local."""
    if isinstance(path, PureWindowsPath):
        return windows_network_kind(path)
    fs_type = linux_file_system(_existing_real(Path(path)))
    if fs_type is not None and fs_type.lower() in NETWORK_FILE_SYSTEMS:
        return f"网络文件系统 {fs_type}"
    return None


def refuse_network_database(path: Path) -> None:
    """Refuse to open ``path`` for writing when it lies on a network file system."""
    kind = network_kind(path)
    if kind is None:
        return
    raise NetworkDatabase(
        f"数据库文件“{path}”在{kind}上：多台电脑通过网络共用一个数据库文件会损坏数据，"
        "因此不能在这里打开它进行修改。请把数据库放在本机磁盘上；"
        "需要多台电脑共用数据时，请改用法院服务器（设置 > 数据库位置 > 法院服务器，"
        "或命令行 --database-url postgresql://…，见 docs/postgresql.md）"
    )
