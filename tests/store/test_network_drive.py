"""A database on a network file system is refused for writing, with the way to share one
database between desks (the court server). The file-system type is faked: ``/proc/mounts`` is
replaced by a file saying the folder is an SMB or NFS mount, and Windows' GetDriveTypeW by a
function answering DRIVE_REMOTE for the mapped drive."""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

import pytest

from zhiqian_desktop.cli.main import main
from zhiqian_desktop.services.admin.maintenance import open_app_database
from zhiqian_desktop.store import network_drive
from zhiqian_desktop.store.engine import sqlite_url
from zhiqian_desktop.store.network_drive import NetworkDatabase, network_kind


def fake_mounts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, share: Path, fs_type: str) -> None:
    mounts = tmp_path / "mounts"
    real = share.resolve()
    mounts.write_text(
        "/dev/vda / ext4 rw,relatime 0 0\n"
        f"//fileserver/执行局 {str(real).replace(' ', chr(92) + '040')} {fs_type} rw 0 0\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(network_drive, "MOUNTS", mounts)


LINUX_ONLY = pytest.mark.skipif(os.name != "posix", reason="/proc/mounts: Linux")


@LINUX_ONLY
@pytest.mark.parametrize("fs_type", ["cifs", "smb3", "nfs4", "fuse.sshfs", "9p"])
def test_a_database_on_a_network_mount_is_refused_before_it_is_created(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fs_type: str
) -> None:
    share = tmp_path / "共享 文件夹"
    share.mkdir()
    fake_mounts(monkeypatch, tmp_path, share, fs_type)
    database = share / "案件" / "zhiqian.db"
    database.parent.mkdir()
    with pytest.raises(NetworkDatabase) as refused:
        open_app_database(sqlite_url(database))
    message = refused.value.message
    assert fs_type in message and "法院服务器" in message and str(database) in message
    assert list(database.parent.iterdir()) == []  # nothing created, no -wal, no lock


@LINUX_ONLY
def test_a_local_database_beside_a_network_mount_opens(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    fake_mounts(monkeypatch, tmp_path, share, "cifs")
    db = open_app_database(sqlite_url(tmp_path / "sharesuffix.db"))  # a name, not the mount
    db.dispose()


@LINUX_ONLY
def test_the_command_line_refuses_it_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    database = share / "zhiqian.db"
    open_app_database(sqlite_url(database)).dispose()  # made locally, then the folder is shared
    before = sorted(p.name for p in share.iterdir())
    fake_mounts(monkeypatch, tmp_path, share, "nfs")
    code = main(["cases", "--db", str(database)])
    _out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and "法院服务器" in err and "Traceback" not in err
    assert sorted(p.name for p in share.iterdir()) == before


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (r"\\fileserver\执行局\zhiqian.db", "网络共享路径"),
        (r"//fileserver/share/zhiqian.db", "网络共享路径"),
        (r"Z:\执前督促\zhiqian.db", "网络驱动器 Z:"),
        (r"C:\Users\张 三\zhiqian.db", None),
        (r"D:\zhiqian.db", None),
    ],
)
def test_windows_unc_paths_and_remote_drives_are_network_locations(
    monkeypatch: pytest.MonkeyPatch, path: str, kind: str | None
) -> None:
    # GetDriveTypeW: 3 is a fixed disk, 4 (DRIVE_REMOTE) a mapped network drive.
    types = {"C:\\": 3, "D:\\": 3, "Z:\\": 4}
    monkeypatch.setattr(network_drive, "windows_drive_type", lambda root: types[root])
    assert network_kind(PureWindowsPath(path)) == kind
