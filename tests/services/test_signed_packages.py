"""Transfer packages carry the court's Ed25519 signature over manifest.json (issue 17, 3): a PDF
replaced together with its hash, or an amount edited in the manifest, fails verification; the
verifier says who signed and when; the public key is exported for the filing desk's PC and its
fingerprint is printed on the transfer letter; the private key never travels."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pytest

from tests.printing.helpers import pdf_text
from tests.services.test_packages import case_id, members, rewrite_zip, transfer
from zhiqian_desktop.cli.main import main
from zhiqian_desktop.cli.transfer import cmd_verify_package
from zhiqian_desktop.services.closing.transfer_data import LETTER_NAME, MANIFEST, SIGNATURE
from zhiqian_desktop.services.closing.transfer_verify import verify_package
from zhiqian_desktop.services.core import signing
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.store.database import Database

__all__ = ["case_id"]  # the fixture: a supervised case with documents, payments and a freeze


@pytest.fixture
def package(db: Database, admin: Actor, case_id: str, tmp_path: Path) -> Path:
    return transfer(db, admin, case_id, tmp_path / "p.zip")


def court_key(db: Database) -> signing.Ed25519PublicKey:
    key = signing.court_public_key(db)
    assert key is not None
    return key


def test_a_fresh_package_verifies_and_names_its_signer(db: Database, package: Path) -> None:
    report = verify_package(package, court_key(db))
    assert report.ok and report.signature == "valid"
    assert report.signed_by == "管理员（admin）"
    assert report.signed_at is not None and report.signed_at.startswith("20")
    assert report.key_fingerprint == signing.fingerprint(court_key(db))
    # The court's private key is nowhere in the package.
    assert not any(b"PRIVATE KEY" in data for data in members(package).values())


def test_a_pdf_replaced_with_its_hash_updated_fails(
    db: Database, package: Path, tmp_path: Path
) -> None:
    files = members(package)
    forged = files["02-案件情况摘要.pdf"]  # a real PDF, put where the letter was
    manifest = json.loads(files[MANIFEST])
    for entry in manifest["files"]:
        if entry["path"] == LETTER_NAME:
            entry["sha256"] = hashlib.sha256(forged).hexdigest()
            entry["size"] = len(forged)
    bad = tmp_path / "forged.zip"
    rewrite_zip(
        package,
        bad,
        {LETTER_NAME: forged, MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()},
    )
    report = verify_package(bad, court_key(db))
    assert report.findings == []  # every hash matches the rewritten manifest ...
    assert not report.ok and report.signature == "invalid"  # ... but the signature does not
    assert "签名" in report.lines()[0]


def test_an_amount_edited_in_the_manifest_fails(
    db: Database, package: Path, tmp_path: Path
) -> None:
    raw = members(package)[MANIFEST].decode("utf-8")
    manifest = json.loads(raw)
    amount = manifest["case"]["amount_due"]
    assert amount in raw
    bad = tmp_path / "amount.zip"
    rewrite_zip(package, bad, {MANIFEST: raw.replace(amount, "1.00", 1).encode("utf-8")})
    report = verify_package(bad, court_key(db))
    assert not report.ok and report.signature == "invalid"


def test_a_package_without_its_signature_or_checked_with_another_key_fails(
    db: Database, package: Path, tmp_path: Path
) -> None:
    unsigned = tmp_path / "unsigned.zip"
    rewrite_zip(package, unsigned, {SIGNATURE: None})
    assert verify_package(unsigned, court_key(db)).signature == "missing"
    other = signing.Ed25519PrivateKey.generate().public_key()
    assert verify_package(package, other).signature == "invalid"
    assert verify_package(package, None).signature == "unchecked"
    assert not verify_package(package, None).ok


def test_public_key_exported_verifies_on_another_pc_and_matches_the_letter(
    db: Database,
    db_path: Path,
    package: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key_file = tmp_path / "court.pem"
    assert main(["export-public-key", "-o", str(key_file), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    fingerprint = signing.fingerprint(court_key(db))
    assert fingerprint in out
    assert main(["export-public-key", "-o", str(key_file), "--db", str(db_path)]) == 1
    assert "--force" in capsys.readouterr().err
    # The filing desk: no database of the court, only the key file.
    elsewhere = argparse.Namespace(
        package=str(package), json=False, public_key=str(key_file), db=str(tmp_path / "none.db")
    )
    assert cmd_verify_package(elsewhere) == 0
    text = capsys.readouterr().out
    assert "签名有效" in text and "管理员（admin）" in text and fingerprint in text
    letter = pdf_text(members(package)[LETTER_NAME], tmp_path)
    assert fingerprint.replace(" ", "") in letter.replace(" ", "").replace("\n", "")


def test_export_public_key_prints_pem_to_standard_output(
    db: Database, db_path: Path, package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-public-key", "--db", str(db_path)]) == 0
    captured = capsys.readouterr()
    key = signing.load_public_pem(captured.out.encode("ascii"), "stdout")
    assert signing.fingerprint(key) in captured.err
    assert verify_package(package, key).ok
