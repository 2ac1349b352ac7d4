"""Reading a kit or a change package that came from outside: every member checked (names, sizes,
compression) and its manifest signature verified before anything is written."""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core import signing
from zhiqian_desktop.services.exchange.records import (
    KIT_SCHEMA,
    MANIFEST,
    MAX_JSON_BYTES,
    OLD_SCHEMAS,
    SIGNATURE,
)
from zhiqian_desktop.services.exchange.sealed_kits import (
    KitPassphraseRequired,
    is_encrypted_kit,
    unseal_kit,
)
from zhiqian_desktop.store import bounded_json, renames
from zhiqian_desktop.store.archives import PackageRefused, ZipReader, hash_member, read_member
from zhiqian_desktop.store.private import DIR_MODE, open_private


def kit_manifest(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """The manifest of a kit (plain or encrypted), for showing what it holds."""
    path = Path(path)
    if is_encrypted_kit(path):
        if passphrase is None:
            raise KitPassphraseRequired(path)
        work = path.with_name(f".{path.name}.read-{uuid.uuid4().hex[:8]}")
        try:
            unseal_kit(path, passphrase, work)
            return kit_manifest(work)
        finally:
            work.unlink(missing_ok=True)
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.getinfo(MANIFEST).file_size > MAX_JSON_BYTES:
                raise ValueError(f"{MANIFEST} 过大")
            data = bounded_json.loads(zf.read(MANIFEST))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserError(f"无法读取离线包“{path}”：{exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"无法读取离线包“{path}”：{MANIFEST} 格式不正确")
    return data


# --- reading a package ---------------------------------------------------------------------------


@dataclass
class OpenedPackage:
    path: Path
    reader: ZipReader
    manifest: dict[str, Any]
    raw_manifest: bytes
    files: dict[str, dict[str, Any]]
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


OLD_KIT = (
    "这是旧版本导出的离线包（其中带有法院密钥，持有它的人都能冒用法院的签名），本版本不再接受；"
    "请在法院用本版本重新导出该法庭的离线包（设置 → 离线包，或 zhiqian export-kit），"
    "笔记本上尚未带回的修改请先在法院核对补录"
)


def open_package(
    path: Path,
    *,
    schema: str,
    max_bytes: int,
    max_unpacked: int,
    key: Callable[[dict[str, Any]], Ed25519PublicKey | None],
) -> OpenedPackage:
    """Open and check a kit or change package completely before anything is taken from it.

    Hostile member names, size and ratio caps (services/closing/transfer_package.py), the
    Ed25519 signature over the manifest with the key ``key(manifest)`` names (a kit: the court's
    public key it states, which checks its integrity only; a change package: the public key the
    court keeps for the kit it names), and every file's size and SHA-256.
    Raises PackageRefused; the caller closes ``reader``.
    """
    what = "离线包" if schema == KIT_SCHEMA else "变更包"
    if not path.is_file():
        raise PackageRefused(f"“{path}”不存在或不是文件")
    size = path.stat().st_size
    if size > max_bytes:
        raise PackageRefused(f"{what}大小 {size // 1024**2} MB 超过上限 {max_bytes // 1024**2} MB")
    sha = file_sha256(path)
    reader = ZipReader(path)
    try:
        if sum(reader.size(n) for n in reader.names()) > max_unpacked:
            raise PackageRefused(f"{what}解压后总大小超过上限 {max_unpacked // 1024**2} MB")
        raw = read_member(reader, MANIFEST, MAX_JSON_BYTES)
        try:
            manifest = bounded_json.loads(raw)
        except ValueError as exc:  # not UTF-8, nested too deep, not JSON
            raise PackageRefused(f"{MANIFEST} 无法解析（{exc}）") from exc
        if not isinstance(manifest, dict) or manifest.get("schema") != schema:
            found = manifest.get("schema") if isinstance(manifest, dict) else None
            if found in OLD_SCHEMAS:
                raise PackageRefused(OLD_KIT)
            raise PackageRefused(f"不是本系统的{what}（格式标识“{found}”，应为 {schema}）")
        signature = read_member(reader, SIGNATURE, 200).decode("ascii", "replace").strip()
        entries = manifest.get("files")
        if not isinstance(entries, list):
            raise PackageRefused(f"{MANIFEST} 缺少文件清单")
        files: dict[str, dict[str, Any]] = {}
        for entry in entries:
            name = entry.get("path") if isinstance(entry, dict) else None
            if (
                not isinstance(name, str)
                or name in files
                or name in (MANIFEST, SIGNATURE)
                or not isinstance(entry.get("sha256"), str)
                or not isinstance(entry.get("size"), int)
            ):
                raise PackageRefused(f"{MANIFEST} 中的文件条目“{name}”不合法")
            files[name] = entry
        public = key(manifest)
        if public is None or not signing.verify(public, raw, signature):
            raise PackageRefused(
                f"{what}的签名不符：包被改动过，或不是本院离线包产生的{what}；未导入任何数据"
            )
        present = set(reader.names())
        extra = present - set(files) - {MANIFEST, SIGNATURE}
        if extra:
            raise PackageRefused(f"{what}内有清单中没有登记的文件“{sorted(extra)[0]}”")
        for name, entry in files.items():
            if name not in present:
                raise PackageRefused(f"{what}内缺少清单中登记的文件“{name}”")
            got_sha, got_size = hash_member(reader, name, max(entry["size"], 0))
            if got_size != entry["size"] or got_sha != entry["sha256"]:
                raise PackageRefused(f"{what}内的“{name}”与清单不符（被改动或损坏）")
    except PackageRefused:
        reader.close()
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        reader.close()  # a truncated or corrupt member
        raise PackageRefused(f"{what}已损坏，无法读取（{exc}）") from exc
    return OpenedPackage(path, reader, manifest, raw, files, sha)


def refusal(exc: PackageRefused, what: str) -> UserError:
    return UserError(f"{what}被拒绝：{exc}")


def copy_member(reader: ZipReader, name: str, target: Path, sha: str | None = None) -> None:
    """Stream one member to ``target`` through a temporary name, checking its SHA-256."""
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tmp = target.with_name(f".incoming-{uuid.uuid4().hex[:8]}")
    digest = hashlib.sha256()
    try:
        with reader.open(name) as src, os.fdopen(open_private(tmp), "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if sha is not None and digest.hexdigest() != sha:
            raise PackageRefused(f"“{name}”在读取时与清单不符")
        renames.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
