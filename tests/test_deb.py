"""The .deb for 统信 UOS / 麒麟 Kylin / Debian desktops (packaging/build_deb.py): the build under
/opt/zhiqian, the `zhiqian` command, a Chinese menu entry with its icon, the Qt runtime packages as
dependencies; lintian finds no error; installed into a throw-away root it passes its self-test
and its removal leaves nothing behind. (Slow; needs dpkg-deb and a desktop build, or the package
named by ZHIQIAN_TEST_DEB.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_program_self_test
from tests.test_system_packages import runtime_packages

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Debian package"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed"),
]


@pytest.fixture(scope="module")
def deb(desktop_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("ZHIQIAN_TEST_DEB")  # made beforehand from that build (.ci/run)
    if given:
        return Path(given)
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        from build_deb import build_deb
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    return build_deb(desktop_build, tmp_path_factory.mktemp("deb"))


def _dpkg_deb(*args: str | Path) -> str:
    done = subprocess.run(["dpkg-deb", *map(str, args)], capture_output=True, text=True, check=True)
    return done.stdout


def test_package_fields_and_files(deb: Path) -> None:
    assert deb.name.startswith("zhiqian-desktop_") and deb.name.endswith("_amd64.deb")
    assert _dpkg_deb("-f", deb, "Package").strip() == "zhiqian-desktop"
    depends = {d.strip() for d in _dpkg_deb("-f", deb, "Depends").split(",")}
    assert depends == set(runtime_packages())
    listing = _dpkg_deb("-c", deb)
    entries = {line.split(None, 5)[5] for line in listing.splitlines()}
    assert "./opt/zhiqian/zhiqian" in entries
    assert "./usr/bin/zhiqian -> /opt/zhiqian/zhiqian" in entries
    assert "./usr/share/applications/zhiqian.desktop" in entries
    assert "./usr/share/icons/hicolor/256x256/apps/zhiqian.png" in entries
    assert "./usr/share/icons/hicolor/48x48/apps/zhiqian.png" in entries
    assert "./usr/share/doc/zhiqian-desktop/copyright" in entries
    # Everything is root's and nothing but the program and libraries is executable.
    for line in listing.splitlines():
        mode, owner = line.split()[:2]
        assert owner == "root/root", line
        if mode.startswith("-") and "x" in mode:
            path = line.split(None, 5)[5]
            assert path.endswith("/zhiqian") or ".so" in path, line


def test_menu_entry_is_chinese_with_the_icon(deb: Path, tmp_path: Path) -> None:
    _dpkg_deb("-x", deb, tmp_path)
    entry = (tmp_path / "usr/share/applications/zhiqian.desktop").read_text(encoding="utf-8")
    assert "Name[zh_CN]=执前督促" in entry
    assert "Exec=zhiqian\n" in entry and "Icon=zhiqian\n" in entry
    assert "Categories=Office;" in entry
    if shutil.which("desktop-file-validate"):
        subprocess.run(
            ["desktop-file-validate", tmp_path / "usr/share/applications/zhiqian.desktop"],
            check=True,
        )


def _dpkg(root: Path, *args: str | Path) -> None:
    # --force-depends: the throw-away root has no packages; the PC gets them from the Depends.
    subprocess.run(
        ["dpkg", f"--root={root}", "--force-depends", "--force-script-chrootless", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )


def test_installed_in_a_throw_away_root_it_runs_and_removes_cleanly(
    deb: Path, tmp_path: Path
) -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg is not installed")
    root = tmp_path / "root"
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
        (root / folder).mkdir(parents=True)
    for name in ("status", "available"):
        (root / "var/lib/dpkg" / name).touch()
    _dpkg(root, "-i", deb)
    program = root / "opt/zhiqian/zhiqian"
    assert os.access(program, os.X_OK)
    assert os.readlink(root / "usr/bin/zhiqian") == "/opt/zhiqian/zhiqian"
    run_program_self_test(program, tmp_path)
    _dpkg(root, "--purge", "zhiqian-desktop")
    left = [p for p in root.rglob("*") if "var/lib/dpkg" not in p.as_posix() and not p.is_dir()]
    assert left == [], "files left after removal"
    assert not (root / "opt/zhiqian").exists()


def test_lintian_finds_no_error(deb: Path) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed")
    done = subprocess.run(
        ["lintian", "--fail-on", "error", deb], capture_output=True, text=True, check=False
    )
    errors = [line for line in done.stdout.splitlines() if line.startswith("E:")]
    assert done.returncode == 0 and not errors, done.stdout[-3000:] + done.stderr[-2000:]
