"""Ed25519 signing of a run folder: every one-byte change is detected and named; an untouched run verifies."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.report.policy import apply_policy, load_policy
from audit.report.render import write_reports
from audit.report.signing import SigningError, generate_keypair, sign_run, verify_run
from audit.runner import write_evidence
from tests.report_factory import SUITES, run_of

runner = CliRunner()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return generate_keypair(folder / "auditor.key")


@pytest.fixture(scope="module")
def signed_template(tmp_path_factory, keys):
    folder = tmp_path_factory.mktemp("run")
    evidence = apply_policy(run_of(SUITES), load_policy())
    write_evidence(evidence, folder / "evidence.json")
    write_reports(evidence, folder)
    (folder / "artifacts").mkdir()
    (folder / "artifacts" / "a.npy").write_bytes(bytes(range(256)))
    sign_run(folder, keys[0], signer="Dr Test", signed_at="2026-01-02T03:04:05+00:00")
    return folder


@pytest.fixture
def signed(signed_template, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(signed_template, folder)
    return folder


def test_untouched_run_verifies(signed, keys):
    result = verify_run(signed, keys[1])
    assert result.ok, result.lines()
    assert set(result.unchanged) == {"evidence.json", "report.html", "report.md", "items.csv", "artifacts/a.npy"}
    assert result.signer == "Dr Test" and result.audit_id == "ma-test"
    document = json.loads((signed / "signature.json").read_text())
    assert document["algorithm"] == "Ed25519" and "canonical_sha256" in document["files"]["evidence.json"]


def test_every_single_byte_flip_is_detected_and_named(signed, keys):
    rng = random.Random(20260107)
    flips = [(name, rng.randrange((signed / name).stat().st_size)) for name in ("evidence.json", "report.html")
             for _ in range(12)]
    assert len(flips) >= 20
    for name, position in flips:
        path = signed / name
        original = path.read_bytes()
        data = bytearray(original)
        data[position] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(data))
        try:
            result = verify_run(signed, keys[1])
            assert not result.ok, (name, position)
            assert result.changed_files == [name], (name, position, result.lines())
            assert result.signature_valid and not result.missing
        finally:
            path.write_bytes(original)
    assert verify_run(signed, keys[1]).ok


def test_reformatted_evidence_is_detected_and_said_to_be_formatting_only(signed, keys):
    path = signed / "evidence.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4))
    result = verify_run(signed, keys[1])
    assert not result.ok and "only formatting changed" in result.changed[0]
    path.write_text(path.read_text().replace('"ma-test"', '"ma-tampered"'))
    assert "content changed" in verify_run(signed, keys[1]).changed[0]


def test_tampered_manifest_wrong_key_missing_and_extra_files(signed, keys, tmp_path):
    other = generate_keypair(tmp_path / "other.key")
    result = verify_run(signed, other[1])
    assert not result.ok and "not the given public key" in result.problems[0]

    (signed / "notes.txt").write_text("added after signing")
    result = verify_run(signed, keys[1])
    assert result.ok and result.unsigned == ["notes.txt"]

    (signed / "report.md").unlink()
    result = verify_run(signed, keys[1])
    assert not result.ok and result.missing == ["report.md"]

    signature = signed / "signature.json"
    document = json.loads(signature.read_text())
    document["files"]["report.html"]["sha256"] = "0" * 64
    signature.write_text(json.dumps(document))
    result = verify_run(signed, keys[1])
    assert not result.signature_valid and "does not match its manifest" in result.problems[0]


def test_encrypted_key_needs_the_passphrase(tmp_path, signed, monkeypatch):
    monkeypatch.setenv("MEDAUDIT_KEY_PASSPHRASE", "correct horse")
    private, public = generate_keypair(tmp_path / "enc.key")
    assert b"ENCRYPTED" in private.read_bytes()
    sign_run(signed, private)
    assert verify_run(signed, public).ok
    monkeypatch.delenv("MEDAUDIT_KEY_PASSPHRASE")
    with pytest.raises(SigningError, match="encrypted"):
        sign_run(signed, private)


def test_keygen_sign_verify_commands(tmp_path, signed_template):
    folder = tmp_path / "run"
    shutil.copytree(signed_template, folder)
    (folder / "signature.json").unlink()
    key = tmp_path / "k.key"
    result = runner.invoke(app, ["keygen", "--out", str(key)])
    assert result.exit_code == 0 and (tmp_path / "k.key.pub").exists(), result.output
    assert runner.invoke(app, ["keygen", "--out", str(key)]).exit_code == 2  # refuses to overwrite
    assert (key.stat().st_mode & 0o777) == 0o600
    assert runner.invoke(app, ["verify", str(folder), "--pub", str(tmp_path / "k.key.pub")]).exit_code == 2
    result = runner.invoke(app, ["sign", str(folder), "--key", str(key), "--signer", "QA lead"])
    assert result.exit_code == 0 and "QA lead" in result.output, result.output
    result = runner.invoke(app, ["verify", str(folder), "--pub", str(tmp_path / "k.key.pub")])
    assert result.exit_code == 0 and "VERIFIED" in result.output, result.output
    html = folder / "report.html"
    html.write_text(html.read_text().replace("Policy gates", "Policy gate5"))
    result = runner.invoke(app, ["verify", str(folder), "--pub", str(tmp_path / "k.key.pub")])
    assert result.exit_code == 5 and "CHANGED   report.html" in result.output and "FAILED" in result.output


def test_signing_needs_a_finished_run(tmp_path, keys):
    with pytest.raises(SigningError, match="no evidence.json"):
        sign_run(tmp_path, keys[0])
