"""The .deb for Debian-based desktops (统信 UOS, 麒麟 Kylin, Debian, Ubuntu): the one-folder build
under /opt/zhiqian, the `zhiqian` command, a Chinese menu entry with its icon. Made offline with
dpkg-deb from a finished build:

    pyinstaller --noconfirm build.spec
    python packaging/build_deb.py dist/zhiqian -o dist/

The package depends on the libraries of packaging/debian-runtime.txt (the desktop's own X11/xcb,
GLib, fontconfig and CUPS, which the build leaves out); everything else is in the folder.
Removing the package removes every file it installed; the clerks' data lives in their home
folders and is never touched.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "zhiqian-desktop"
PREFIX = Path("opt/zhiqian")
MAINTAINER = os.environ.get(
    "ZHIQIAN_DEB_MAINTAINER", "Zhiqian Desktop maintainers <zhiqian-desktop@example.com>"
)
"""The vendor's packaging contact; set ZHIQIAN_DEB_MAINTAINER when building for a court."""
REVISION = "1"

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.0
Name=Zhiqian Desktop
Name[zh_CN]=执前督促
GenericName=Pre-enforcement supervision
GenericName[zh_CN]=执行前督促案件管理
Comment=Docket, documents and deadlines of the pre-enforcement supervision team
Comment[zh_CN]=执行前督促团队的案件台账、文书和期限管理
Exec=zhiqian
Icon=zhiqian
Terminal=false
Categories=Office;
Keywords=court;docket;法院;督促;执行;
StartupWMClass=zhiqian
"""

DESCRIPTION = """\
Pre-enforcement supervision docket for a Chinese court (执前督促)
 The desktop application of a court's pre-enforcement supervision team:
 the docket, the daily due-list, the urging notices and warnings, service,
 calls and visits, payments and settlements, closing, and the package
 transferred to enforcement. Runs offline on a local SQLite database or
 against the court's PostgreSQL server. The interface is Chinese.
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zhiqian-desktop

Files: *
Copyright: the Zhiqian Desktop authors
License: LicenseRef-Proprietary
 {licence}

Files: opt/zhiqian/_internal/zhiqian_desktop/resources/fonts/wqy-microhei.ttc
Copyright: 2008-2009, The WenQuanYi Project Board of Trustees
License: Apache-2.0 or GPL-3+ with Font exception
 See /opt/zhiqian/_internal/zhiqian_desktop/resources/fonts/wqy-microhei.COPYRIGHT.txt

Files: opt/zhiqian/_internal/zhiqian_desktop/resources/fonts/uming.ttc
Copyright: 1994-1999, Arphic Technology Co., Ltd.
License: Arphic-1999
 See /opt/zhiqian/_internal/zhiqian_desktop/resources/fonts/uming.COPYRIGHT.txt
 and the licence text uming.ARPHICPL.txt beside it.
Comment: Debian's fonts-arphic-uming 0.2.20080216.2-11 with its embedded bitmap strikes
 removed (EBDT, EBLC and BDF tables; the notice is in each face's name table).

Files: opt/zhiqian/_internal/*
Copyright: the authors of Python, Qt (PySide6), ReportLab, SQLAlchemy, Alembic and the other
 libraries bundled unchanged
License: various
 Each library keeps its own licence; see its *.dist-info folder under /opt/zhiqian/_internal.
"""

# Tags lintian raises for any self-contained program under /opt, which is what the courts'
# desktops want: one folder from the vendor, not a split into Debian's library packages.
# (gzip, not xz or zstd: as fast to build, and the dpkg of older UOS and Kylin releases reads it.)
LINTIAN_OVERRIDES = """\
# The vendor's self-contained build lives in /opt (Filesystem Hierarchy Standard, "add-on
# application software packages"), not in Debian's archive.
{package}: dir-or-file-in-opt
# Python, Qt and the other libraries are shipped inside the folder, unchanged from their wheels,
# and find each other there (RPATH $ORIGIN), not in the system's library folders.
{package}: custom-library-search-path
{package}: embedded-library
{package}: shared-library-lacks-prerequisites
{package}: hardening-no-pie
# Python's extension modules take the C library from the interpreter that loads them.
{package}: library-not-linked-against-libc
# The bundled CJK fonts are the program's own (the print and the screen must not depend on the
# desktop's fonts); they are embedded into the documents it prints.
{package}: duplicate-font-file
{package}: truetype-font-prohibits-installable-embedding
"""


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def runtime_depends() -> str:
    lines = (ROOT / "packaging" / "debian-runtime.txt").read_text(encoding="utf-8").splitlines()
    return ", ".join(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    path.chmod(mode)


def _normalise_modes(tree: Path) -> None:
    """Folders 0755; programs and shared libraries as built; everything else 0644."""
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or (path.stat().st_mode & stat.S_IXUSR and _is_elf_program(path)):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _is_elf_program(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(18)
    # ELF with e_type ET_EXEC (2) or ET_DYN (3) but not a library name: the program itself.
    return head[:4] == b"\x7fELF" and ".so" not in path.name


def _changelog(version: str) -> bytes:
    stamp = format_datetime(datetime.now(UTC).replace(microsecond=0))
    text = (
        f"{PACKAGE} ({version}-{REVISION}) unstable; urgency=medium\n\n"
        f"  * Release {version}.\n\n"
        f" -- {MAINTAINER}  {stamp}\n"
    )
    return gzip.compress(text.encode("utf-8"), mtime=0)


def build_deb(build: Path, out_dir: Path) -> Path:
    """Package the one-folder build `build` (…/dist/zhiqian); returns the .deb's path."""
    program = build / "zhiqian"
    if not program.is_file():
        raise SystemExit(f"{build} is not a PyInstaller build of zhiqian (no {program.name})")
    version = project_version()
    icons = ROOT / "resources" / "icons"
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "root"
        shutil.copytree(build, tree / PREFIX, symlinks=True)
        _normalise_modes(tree / PREFIX)
        (tree / "usr/bin").mkdir(parents=True)
        os.symlink(f"/{PREFIX}/zhiqian", tree / "usr/bin/zhiqian")
        _write(tree / "usr/share/applications/zhiqian.desktop", DESKTOP_ENTRY)
        for size in (48, 256):
            icon = (icons / f"zhiqian-{size}.png").read_bytes()
            _write(tree / f"usr/share/icons/hicolor/{size}x{size}/apps/zhiqian.png", icon)
        doc = tree / "usr/share/doc" / PACKAGE
        licence = (ROOT / "LICENSE").read_text(encoding="utf-8").strip().splitlines()
        body = "\n ".join(line if line.strip() else "." for line in licence)
        _write(doc / "copyright", COPYRIGHT.format(licence=body))
        _write(doc / "changelog.Debian.gz", _changelog(version))
        _write(
            tree / "usr/share/lintian/overrides" / PACKAGE,
            LINTIAN_OVERRIDES.format(package=PACKAGE),
        )
        installed_kb = (
            sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
            // 1024
        )
        control = (
            f"Package: {PACKAGE}\n"
            f"Version: {version}-{REVISION}\n"
            "Architecture: amd64\n"
            f"Maintainer: {MAINTAINER}\n"
            f"Installed-Size: {installed_kb}\n"
            f"Depends: {runtime_depends()}\n"
            "Section: misc\n"
            "Priority: optional\n"
            f"Description: {DESCRIPTION}"
        )
        _write(tree / "DEBIAN/control", control)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{PACKAGE}_{version}-{REVISION}_amd64.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(tree), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="build the .deb from a one-folder build")
    parser.add_argument("build", type=Path, help="the PyInstaller folder, e.g. dist/zhiqian")
    parser.add_argument("-o", "--out", type=Path, default=Path("dist"), help="where to write it")
    args = parser.parse_args(argv)
    print(build_deb(args.build, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
