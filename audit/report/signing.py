"""Ed25519 signing and verification of a run folder.

``medaudit sign RUN_DIR --key KEY`` writes ``RUN_DIR/signature.json``: a manifest of every file in the
folder (sha256 of its bytes; for ``evidence.json`` also the sha256 of its canonical form, sorted-key
compact UTF-8 JSON) with the audit id, signer, date and key fingerprint, and an Ed25519 signature over
the canonical JSON of all of that. ``medaudit verify RUN_DIR --pub PUB`` recomputes the manifest and
names every file that changed, went missing or is not covered. Any change of a byte is detected: raw
hashes catch it, and for ``evidence.json`` the canonical hash also tells whether the content changed or
only its formatting.

The signature is detached: a report cannot state its own signature, so its cover points here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from audit.errors import MedauditError

SIGNATURE_FILE = "signature.json"
EVIDENCE_FILE = "evidence.json"
FORMAT = "medaudit-signature/1"
CANONICAL = "sorted-key compact JSON, UTF-8 (json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False))"
PASSPHRASE_ENV = "MEDAUDIT_KEY_PASSPHRASE"
EXIT_VERIFY_FAILED = 5


class SigningError(MedauditError):
    """A key, run folder or signature file cannot be used."""


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=True).encode("utf-8")


def canonical_evidence(raw: bytes) -> bytes:
    """The canonical serialisation of an evidence file's content (raises ValueError if it is not JSON)."""
    return canonical_json(json.loads(raw.decode("utf-8")))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------------------- keys


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def generate_keypair(private_path: Path, force: bool = False) -> tuple[Path, Path]:
    """Write a new Ed25519 private key (PEM, PKCS#8, mode 0600; encrypted when $MEDAUDIT_KEY_PASSPHRASE is set)
    and its public key beside it (``<name>.pub``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_path = Path(private_path)
    public_path = private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if path.exists() and not force:
            raise SigningError(f"{path} exists; choose another --out or pass --force to overwrite it")
    key = Ed25519PrivateKey.generate()
    secret = _passphrase()
    encryption = (serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption())
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        private_path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem)
        os.chmod(private_path, 0o600)
        public_path.write_bytes(public_pem)
    except OSError as exc:
        raise SigningError(f"cannot write the key: {exc.strerror or exc}") from exc
    return private_path, public_path


def load_private_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the key: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=_passphrase())
    except TypeError:
        raise SigningError(f"{path}: the key is encrypted; set ${PASSPHRASE_ENV}") from None
    except ValueError as exc:
        raise SigningError(f"{path}: not a usable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key (medaudit signs with Ed25519 only)")
    return key


def load_public_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the public key: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SigningError(f"{path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 public key")
    return key


def key_fingerprint(public_key) -> str:
    """sha256 of the raw 32-byte Ed25519 public key."""
    from cryptography.hazmat.primitives import serialization

    return _sha256(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


# ----------------------------------------------------------------------------------------------- manifest


def _covered_files(run_dir: Path) -> list[Path]:
    """Every regular file in the run folder except the signature itself and temporary files, sorted."""
    files = []
    for path in sorted(run_dir.rglob("*")):
        relative = path.relative_to(run_dir)
        if path.is_symlink() or not path.is_file():
            continue
        if relative.as_posix() == SIGNATURE_FILE or path.name.endswith(".tmp"):
            continue
        files.append(path)
    return files


def _file_entry(path: Path, relative: str) -> dict[str, Any]:
    raw = path.read_bytes()
    entry: dict[str, Any] = {"sha256": _sha256(raw), "bytes": len(raw)}
    if relative == EVIDENCE_FILE:
        try:
            entry["canonical_sha256"] = _sha256(canonical_evidence(raw))
        except ValueError:
            pass
    return entry


def build_manifest(run_dir: Path) -> dict[str, dict[str, Any]]:
    run_dir = Path(run_dir)
    if not (run_dir / EVIDENCE_FILE).is_file():
        raise SigningError(f"{run_dir} has no {EVIDENCE_FILE}: sign a finished run folder")
    manifest = {p.relative_to(run_dir).as_posix(): _file_entry(p, p.relative_to(run_dir).as_posix())
                for p in _covered_files(run_dir)}
    if "canonical_sha256" not in manifest[EVIDENCE_FILE]:
        raise SigningError(f"{run_dir / EVIDENCE_FILE} is not valid JSON; it cannot be signed")
    return manifest


def sign_run(run_dir: Path, private_key_path: Path, signer: str | None = None,
             signed_at: str | None = None) -> Path:
    """Sign every file of a finished run folder; write and return ``signature.json``."""
    run_dir = Path(run_dir)
    key = load_private_key(private_key_path)
    manifest = build_manifest(run_dir)
    evidence = json.loads((run_dir / EVIDENCE_FILE).read_text(encoding="utf-8"))
    payload = {
        "format": FORMAT,
        "algorithm": "Ed25519",
        "canonicalisation": CANONICAL,
        "audit_id": evidence.get("audit_id") if isinstance(evidence, dict) else None,
        "signer": signer or os.environ.get("USER") or "unknown",
        "signed_at": signed_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "public_key_sha256": key_fingerprint(key.public_key()),
        "files": manifest,
    }
    signature = key.sign(canonical_json(payload))
    document = {**payload, "signature": base64.b64encode(signature).decode("ascii")}
    out = run_dir / SIGNATURE_FILE
    try:
        out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SigningError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out


# ----------------------------------------------------------------------------------------------- verification


@dataclass
class Verification:
    """The outcome of checking a run folder against its signature."""

    signature_valid: bool
    key_matches: bool
    signer: str | None = None
    signed_at: str | None = None
    audit_id: str | None = None
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # one line per changed file, saying how
    missing: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)  # present but not covered by the signature
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_valid and self.key_matches and not (self.changed or self.missing or self.problems)

    @property
    def changed_files(self) -> list[str]:
        return [line.split(":", 1)[0] for line in self.changed]

    def lines(self) -> list[str]:
        out = [f"PROBLEM   {p}" for p in self.problems]
        out += [f"CHANGED   {c}" for c in self.changed]
        out += [f"MISSING   {m}" for m in self.missing]
        out += [f"UNSIGNED  {u} (not covered by the signature)" for u in self.unsigned]
        out.append(f"{'VERIFIED' if self.ok else 'FAILED'}: {len(self.unchanged)} file(s) unchanged"
                   + (f", {len(self.changed)} changed" if self.changed else "")
                   + (f", {len(self.missing)} missing" if self.missing else "")
                   + (f"; signed by {self.signer} at {self.signed_at}" if self.signature_valid else ""))
        return out


def _compare(name: str, expected: dict[str, Any], path: Path) -> str | None:
    """None when the file matches its manifest entry, else how it changed."""
    raw = path.read_bytes()
    found = _sha256(raw)
    if found == expected.get("sha256"):
        return None
    how = f"sha256 {found[:16]}… instead of {str(expected.get('sha256'))[:16]}…, {len(raw)} bytes instead of " \
          f"{expected.get('bytes')}"
    if "canonical_sha256" in expected:
        try:
            same = _sha256(canonical_evidence(raw)) == expected["canonical_sha256"]
            how += "; content identical, only formatting changed" if same else "; content changed"
        except (ValueError, UnicodeDecodeError):
            how += "; no longer valid JSON"
    return f"{name}: {how}"


def verify_run(run_dir: Path, public_key_path: Path) -> Verification:
    """Check the signature and every file it covers; name each file that changed."""
    from cryptography.exceptions import InvalidSignature

    run_dir = Path(run_dir)
    public_key = load_public_key(public_key_path)
    path = run_dir / SIGNATURE_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SigningError(f"{run_dir} is not signed (no {SIGNATURE_FILE}; run `medaudit sign`)") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return Verification(False, False, problems=[f"{SIGNATURE_FILE}: unreadable ({exc})"])
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("files"), dict):
        return Verification(False, False, problems=[f"{SIGNATURE_FILE}: not a {FORMAT} document"])
    payload = {k: v for k, v in document.items() if k != "signature"}
    result = Verification(False, False, signer=payload.get("signer"), signed_at=payload.get("signed_at"),
                          audit_id=payload.get("audit_id"))
    fingerprint = key_fingerprint(public_key)
    result.key_matches = payload.get("public_key_sha256") == fingerprint
    if not result.key_matches:
        result.problems.append(f"{SIGNATURE_FILE}: signed with key {str(payload.get('public_key_sha256'))[:16]}…, "
                               f"not the given public key {fingerprint[:16]}…")
    try:
        public_key.verify(base64.b64decode(str(document.get("signature", "")), validate=True), canonical_json(payload))
        result.signature_valid = True
    except (InvalidSignature, ValueError):
        if result.key_matches:
            result.problems.append(f"{SIGNATURE_FILE}: the signature does not match its manifest (the manifest, "
                                   "header or signature was altered)")
    manifest: dict[str, dict[str, Any]] = document["files"]
    for name, expected in sorted(manifest.items()):
        target = run_dir / name
        if not target.is_file():
            result.missing.append(name)
            continue
        how = _compare(name, expected, target)
        (result.changed.append(how) if how else result.unchanged.append(name))
    present = {p.relative_to(run_dir).as_posix() for p in _covered_files(run_dir)}
    result.unsigned = sorted(present - set(manifest))
    return result
