"""packaging/debian-runtime.txt names every Debian package whose library Qt's platform plugins,
print support and Qt libraries load (the ones Qt does not ship itself), and the README and
.ci/run install from that one file."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "packaging" / "debian-runtime.txt"

# What the desktop build keeps of Qt on Linux (build.spec) and what the app needs from it.
QT_FILES = (
    "plugins/platforms/libqxcb.so",
    "plugins/platforms/libqoffscreen.so",
    "plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "plugins/xcbglintegrations/libqxcb-egl-integration.so",
    "plugins/printsupport/libcupsprintersupport.so",
    "plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "lib/libQt6Core.so.6",
    "lib/libQt6Gui.so.6",
    "lib/libQt6Widgets.so.6",
    "lib/libQt6PrintSupport.so.6",
    "lib/libQt6UiTools.so.6",
    "lib/libQt6XcbQpa.so.6",
    "lib/libQt6DBus.so.6",
    "lib/libQt6OpenGL.so.6",
)


def runtime_packages() -> list[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def needed_libraries(path: Path) -> list[str]:
    """DT_NEEDED entries of a 64-bit little-endian ELF file (what the dynamic loader must find)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, f"{path} is not ELF64 LE"
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)
    ]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strtab = sections[dynamic[6]]  # sh_link: the string table of the dynamic section
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 0:
            break
        if tag == 1:  # DT_NEEDED
            start = strtab[4] + value
            names.append(data[start : data.index(b"\0", start)].decode())
    return names


def _system_libraries() -> dict[str, Path]:
    """Library file name -> path, from the dynamic loader's cache (64-bit x86 entries)."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True)
    found: dict[str, Path] = {}
    for line in listing.stdout.splitlines()[1:]:
        name, _, rest = line.strip().partition(" ")
        if "x86-64" in rest and "=>" in rest:
            found.setdefault(name, Path(rest.rsplit("=>", 1)[1].strip()))
    return found


def _owners(paths: list[Path]) -> dict[Path, str]:
    """Path -> Debian package, asked of dpkg in one call (it is slow to start). Debian installs
    libraries under /lib or /usr/lib, which are one folder since the /usr merge."""
    forms = {}
    for path in paths:
        for candidate in (path, path.resolve()):
            text = str(candidate)
            for form in (
                text,
                text.replace("/usr/lib/", "/lib/", 1),
                text.replace("/lib/", "/usr/lib/", 1),
            ):
                forms[form] = path
    done = subprocess.run(["dpkg", "-S", *forms], capture_output=True, text=True)
    owners: dict[Path, str] = {}
    for line in done.stdout.splitlines():
        package, _, file = line.partition(": ")
        if file.strip() in forms:
            owners.setdefault(forms[file.strip()], package.split(":")[0].strip())
    return owners


def test_every_library_qt_loads_comes_from_a_listed_package() -> None:
    if shutil.which("dpkg") is None or shutil.which("ldconfig") is None:
        pytest.skip("not a Debian-based system (no dpkg)")
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    bundled = {p.name for p in (qt / "lib").iterdir()}
    listed = set(runtime_packages())
    system = _system_libraries()
    wanted: dict[str, str] = {}
    missing: dict[str, str] = {}
    for rel in QT_FILES:
        binary = qt / rel
        assert binary.is_file(), f"Qt no longer ships {rel}: update QT_FILES and build.spec"
        for name in needed_libraries(binary):
            if name not in bundled:
                wanted.setdefault(name, rel)
    owners = _owners([system[name] for name in wanted if name in system])
    for name, rel in wanted.items():
        if name not in system:
            missing[name] = f"{rel} needs it; not installed here"
        elif system[name] not in owners:
            missing[name] = f"{rel} needs it; {system[name]} belongs to no package"
        elif owners[system[name]] not in listed:
            missing[name] = f"{rel} needs it; from package {owners[system[name]]}"
    assert not missing, "add to packaging/debian-runtime.txt:\n" + "\n".join(
        f"  {name}: {why}" for name, why in sorted(missing.items())
    )


def test_readme_and_ci_install_from_the_list() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "$(grep -v '^#' packaging/debian-runtime.txt)" in readme
    assert "packaging/debian-runtime.txt" in ci
    assert "libxcb-icccm4" in runtime_packages()
    assert "libxcb-keysyms1" in runtime_packages()
