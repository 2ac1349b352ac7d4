"""``verify_package``: a transfer package checked against its ``manifest.json`` (missing, altered
and extra files), on a zip or a folder (schema in docs/transfer-package.md)."""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhiqian_desktop.services.closing.transfer_data import MANIFEST, MAX_MANIFEST_BYTES, SCHEMA
from zhiqian_desktop.store import bounded_json
from zhiqian_desktop.store.archives import (
    FolderReader,
    PackageRefused,
    Reader,
    ZipReader,
    hash_member,
    member_name_problem,
)

# --- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str
    problem: str
    """missing, altered, extra, unreadable or refused"""
    detail: str


@dataclass
class VerifyReport:
    path: Path
    schema: str | None = None
    case_no: str | None = None
    files_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    refused: str | None = None
    """Why the package was not read at all (a hostile or malformed archive), if it was not."""

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.findings

    def lines(self) -> list[str]:
        if self.refused:
            return [f"拒绝读取：{self.refused}"]
        out = [f"{LABELS.get(f.problem, f.problem)}：{f.path}（{f.detail}）" for f in self.findings]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "schema": self.schema,
            "case_no": self.case_no,
            "files_checked": self.files_checked,
            "refused": self.refused,
            "findings": [
                {"path": f.path, "problem": f.problem, "detail": f.detail} for f in self.findings
            ],
        }


LABELS = {
    "missing": "缺少文件",
    "altered": "文件被改动",
    "extra": "多出文件",
    "unreadable": "无法读取",
    "refused": "拒绝",
}


def read_manifest(reader: Reader) -> dict[str, Any]:
    if MANIFEST not in reader.names():
        raise PackageRefused(f"包内没有 {MANIFEST}，不是本系统生成的移送材料")
    if reader.size(MANIFEST) > MAX_MANIFEST_BYTES:
        raise PackageRefused(f"{MANIFEST} 过大")
    with reader.open(MANIFEST) as fh:
        raw = fh.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackageRefused(f"{MANIFEST} 过大")
    try:
        manifest = bounded_json.loads(raw)
    except ValueError as exc:  # not UTF-8, nested too deep, not JSON
        raise PackageRefused(f"{MANIFEST} 无法解析（{exc}）") from exc
    if not isinstance(manifest, dict):
        raise PackageRefused(f"{MANIFEST} 格式不正确")
    schema = manifest.get("schema")
    if not isinstance(schema, str) or not schema.startswith("zhiqian.transfer/"):
        raise PackageRefused(f"{MANIFEST} 的格式标识“{schema}”不是移送材料")
    if schema != SCHEMA:
        raise PackageRefused(
            f"移送材料格式版本“{schema}”不受本程序支持（支持 {SCHEMA}）；请升级程序"
        )
    files = manifest.get("files")
    if not isinstance(files, list):
        raise PackageRefused(f"{MANIFEST} 缺少文件清单")
    return manifest


def verify_package(path: Path) -> VerifyReport:
    """Check every file against the manifest: missing, altered and extra files are all reported.

    A zip is read member by member, streamed, never extracted; hostile names (``..``, absolute
    paths, backslashes, drive letters, duplicates) and oversized or over-compressed members make
    the whole package refused before anything is read.
    """
    path = Path(path)
    report = VerifyReport(path)
    reader: Reader | None = None
    try:
        if path.is_dir():
            reader = FolderReader(path)
        elif path.is_file():
            reader = ZipReader(path)
        else:
            raise PackageRefused(f"“{path}”不存在")
        manifest = read_manifest(reader)
        report.schema = manifest["schema"]
        case = manifest.get("case")
        report.case_no = case.get("case_no") if isinstance(case, dict) else None
        present = set(reader.names())
        expected: dict[str, dict[str, Any]] = {}
        for entry in manifest["files"]:
            name = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(name, str) or member_name_problem(name):
                raise PackageRefused(f"{MANIFEST} 中的文件路径“{name}”不合法")
            if not isinstance(entry.get("sha256"), str) or not isinstance(entry.get("size"), int):
                raise PackageRefused(f"{MANIFEST} 中“{name}”缺少校验值或大小")
            name = unicodedata.normalize("NFC", name)
            if name in expected or name == MANIFEST:
                raise PackageRefused(f"{MANIFEST} 中“{name}”重复")
            expected[name] = entry
        for name, entry in sorted(expected.items()):
            if name not in present:
                report.findings.append(Finding(name, "missing", "清单中登记的文件不在包内"))
                continue
            report.files_checked += 1
            try:
                sha, size = hash_member(reader, name, max(entry["size"], 0) + 1)
            except PackageRefused:
                report.findings.append(Finding(name, "altered", "文件大小与清单不符"))
                continue
            except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
                report.findings.append(Finding(name, "unreadable", f"读取失败：{exc}"))
                continue
            if size != entry["size"]:
                report.findings.append(
                    Finding(name, "altered", f"大小 {size} 字节，清单登记 {entry['size']} 字节")
                )
            elif sha != entry["sha256"]:
                report.findings.append(Finding(name, "altered", "SHA-256 校验值与清单不符"))
        for name in sorted(present - set(expected) - {MANIFEST}):
            report.findings.append(Finding(name, "extra", "清单中没有登记的文件"))
        if isinstance(reader, FolderReader):
            for name in reader.links:
                report.findings.append(Finding(name, "extra", "符号链接或特殊文件，未读取"))
    except PackageRefused as exc:
        report.refused = str(exc)
    finally:
        if reader is not None:
            reader.close()
    return report
