"""A smaller ICU data library for the Linux desktop build: Qt's libicudata (31 MB, the data of every
language ICU knows) rebuilt with the root, Chinese and English locales only.

Qt Core calls ICU for collation (sorting Chinese by pinyin), case mapping, character-set
conversion and time-zone names (the ICU functions it imports: ucol_*, u_strToLower/Upper, ucnv_*,
ucal_*); it never calls ICU's break iterators (ubrk_*), its text boundaries are Qt's own. The
desktop program shows Chinese and nothing else, so the data of the other ~800 locales, the
transliterators, the break-iteration rules and dictionaries (brkitr: 2.3 MB, of which the Chinese
and Japanese word dictionary is 2 MB) and the legacy character sets other than GB 18030 are never
read. Left out, they take the folder from ~170 MB to under 150 MB. A locale that is not kept falls
back to root, as ICU does for any locale it lacks.

    python packaging/trim_icu.py SOURCE/libicudata.so.73 OUT/libicudata.so.73

The data package (ICU's "common data" format: a header, a table of contents sorted by name, then
the items, each 16-byte aligned) is rewritten keeping the chosen items; the library is assembled
with binutils (as, ld), which the build's strip step needs anyway. build.spec calls `trim()`.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LOCALES = re.compile(r"(root|en|en_US|en_US_POSIX|zh(_\w+)?)")
_LOCALE_NAME = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]{2,8})*")
_NOT_LOCALES = {"res_index", "pool"}
DROP_GROUPS = {"translit", "brkitr"}  # transliterators, break iteration: Qt calls neither
KEEP_CONVERTERS = {"gb18030.cnv"}  # Unicode forms and Latin-1 are built into ICU


def keep_item(name: str) -> bool:
    """Whether an item of the package (e.g. "icudt73l/coll/zh.res") stays."""
    parts = name.split("/")[1:]
    group = parts[0] if len(parts) > 1 else ""
    base = parts[-1]
    if group in DROP_GROUPS:
        return False
    if base.endswith(".cnv"):
        return base in KEEP_CONVERTERS
    if base.endswith(".res"):
        stem = base[: -len(".res")]
        if stem not in _NOT_LOCALES and _LOCALE_NAME.fullmatch(stem):
            return KEEP_LOCALES.fullmatch(stem) is not None
    return True


def _section(elf: bytes, wanted: str) -> tuple[int, int]:
    """File offset and size of a section of a 64-bit little-endian ELF file."""
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx][4]
    for h in headers:
        name = elf[names + h[0] : elf.index(b"\0", names + h[0])].decode()
        if name == wanted:
            return h[4], h[5]
    raise ValueError(f"no {wanted} section")


def extract_package(library: Path) -> bytes:
    elf = library.read_bytes()
    offset, size = _section(elf, ".rodata")
    data = elf[offset : offset + size]
    # The header: its size (2 bytes), the magic bytes DA 27, then UDataInfo with the format "CmnD".
    magic = data.find(b"\xda\x27")
    while magic >= 2 and data[magic + 10 : magic + 14] != b"CmnD":
        magic = data.find(b"\xda\x27", magic + 1)
    if magic < 2:
        raise ValueError(f"{library} holds no ICU common data package")
    return data[magic - 2 :]


def rewrite_package(package: bytes) -> tuple[bytes, int, int]:
    """The package with only the kept items; returns (package, items kept, items in all)."""
    header_size = struct.unpack_from("<H", package, 0)[0]
    toc = package[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_at, data_at) in enumerate(entries):
        name = toc[name_at : toc.index(b"\0", name_at)]
        end = entries[i + 1][1] if i + 1 < count else len(toc)
        if keep_item(name.decode("ascii")):
            items.append((name, toc[data_at:end]))
    names_at = 4 + 8 * len(items)
    names = b""
    offsets = []
    for name, _ in items:
        offsets.append(names_at + len(names))
        names += name + b"\0"
    data_at = names_at + len(names)
    data_at += -(header_size + data_at) % 16  # items are 16-byte aligned in the whole package
    table = struct.pack("<I", len(items))
    body = b""
    for (_, blob), name_offset in zip(items, offsets, strict=True):
        table += struct.pack("<II", name_offset, data_at + len(body))
        body += blob + b"\0" * (-len(blob) % 16)
    padding = b"\0" * (data_at - names_at - len(names))
    out = package[:header_size] + table + names + padding + body
    return out, len(items), count


def build_library(package: bytes, symbol: str, soname: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data.dat").write_bytes(package)
        (folder / "data.s").write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, @object\n"
            "\t.balign 16\n"
            f"{symbol}:\n"
            '\t.incbin "data.dat"\n'
            f"\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        subprocess.run(["as", "-o", "data.o", "data.s"], cwd=folder, check=True)
        subprocess.run(
            ["ld", "-shared", "-soname", soname, "-o", str(target), "data.o"],
            cwd=folder,
            check=True,
        )


def trim(source: Path, target: Path) -> tuple[int, int]:
    """Write the trimmed library; returns its size and the original's, in bytes."""
    version = source.name.rsplit(".so.", 1)[1].split(".")[0]
    package, kept, total = rewrite_package(extract_package(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    build_library(package, f"icudt{version}_dat", f"libicudata.so.{version}", target)
    print(f"ICU data: {kept} of {total} items, {len(package) // 1024} KB", file=sys.stderr)
    return target.stat().st_size, source.stat().st_size


if __name__ == "__main__":
    made, original = trim(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{original / 2**20:.1f} MB -> {made / 2**20:.1f} MB")
