"""Trust (issue 8): office keys, enrollment, signed and sealed bundles, approval and quarantine.

Every refusal is checked the way `test_bundle_validation.py` checks damaged bundles: the report
says "rejected" with a reason in the officer's language (zh-CN in tests) and the office store
file is byte for byte what it was before.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import os
import stat

import orjson
import pytest
from click.testing import CliRunner

from fieldvisit.trust import devices
from fieldvisit.locations import paths
from fieldvisit.trust import keys as trust
from fieldvisit.cli import main
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.core.model import IDENTITY_FIELDS
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, seal_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def demo_laptop():
    return build_demo(1, ANCHOR)


@pytest.fixture
def office_keys(tmp_path):
    return trust.init_office_keys(tmp_path / "office" / "office-keys.json", "东风煤业信访办")


@pytest.fixture
def laptop_keys(tmp_path, office_keys):
    return trust.enroll_device(tmp_path / "laptop" / "device-keys.json", canonical_bytes(office_keys.token()))


@pytest.fixture
def office(tmp_path):
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as store:
        Editor(store, device_name="信访办")
        yield store


def _import(office, keys, raw, allow_unsigned=False, name="stick"):
    gate = devices.TrustGate(office, keys, paths.Home.beside(office.path).quarantine_dir, allow_unsigned)
    [report] = import_bundles(office, [(name, raw)], now=NOW, gate=gate)
    return report


def _sealed_demo(demo_laptop, laptop_keys) -> tuple[dict, bytes]:
    bundle = export_bundle(demo_laptop)
    return bundle, sealed.encode(seal_bundle(bundle, laptop_keys))


def _approve_laptop(office, office_keys, laptop_keys, demo_laptop):
    """Quarantine a first bundle, then approve the device: the usual first contact."""
    _, raw = _sealed_demo(demo_laptop, laptop_keys)
    assert _import(office, office_keys, raw).status == "quarantined"
    devices.approve(office, office_keys, paths.Home.beside(office.path).quarantine_dir, laptop_keys.fingerprint)


# -- keys and enrollment ------------------------------------------------------------------


def test_office_keys_are_private_and_reload(tmp_path, office_keys):
    path = tmp_path / "office" / "office-keys.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = trust.OfficeKeys.load(path)
    assert again.fingerprint == office_keys.fingerprint and again.organisation == "东风煤业信访办"
    assert len(office_keys.fingerprint) == 19 and office_keys.fingerprint.count("-") == 3
    assert set(office_keys.fingerprint.replace("-", "")) <= set(trust.CROCKFORD)
    with pytest.raises(trust.TrustError):
        trust.init_office_keys(path)  # never silently replaced


def test_backup_restores_with_the_right_passphrase_only(office_keys):
    backup = trust.backup_office_keys(office_keys, "煤矿 2026 春", strength="interactive")
    assert office_keys.as_json()["box_secret"] not in json.dumps(backup)
    assert trust.restore_office_keys(backup, "煤矿 2026 春").fingerprint == office_keys.fingerprint
    with pytest.raises(trust.TrustError) as wrong:
        trust.restore_office_keys(backup, "wrong")
    assert wrong.value.message_key == "error.trust.wrong_passphrase"


def test_enrollment_round_trip_keeps_the_device_key(tmp_path, office_keys, laptop_keys):
    path = tmp_path / "laptop" / "device-keys.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = trust.DeviceKeys.load(path)
    assert loaded.fingerprint == laptop_keys.fingerprint
    assert loaded.office["fingerprint"] == office_keys.fingerprint
    again = trust.enroll_device(path, canonical_bytes(office_keys.token()))
    assert again.fingerprint == laptop_keys.fingerprint
    assert trust.normalise_fingerprint(laptop_keys.fingerprint.lower().replace("-", "")) == laptop_keys.fingerprint


def test_enrollment_by_qr_image(tmp_path):
    runner = CliRunner()
    office_dir, laptop = tmp_path / "office", tmp_path / "laptop"
    assert runner.invoke(main, ["office", "keys", "init", "--data-dir", str(office_dir), "--organisation", "东风煤业信访办"]).exit_code == 0
    png = tmp_path / "enroll.png"
    assert runner.invoke(main, ["office", "enroll", "--data-dir", str(office_dir), "--out", str(png)]).exit_code == 0
    enrolled = runner.invoke(main, ["enroll", "--data-dir", str(laptop), str(png)])
    assert enrolled.exit_code == 0, enrolled.output
    keys = trust.DeviceKeys.load(laptop / "field" / "device-keys.json")
    assert keys.office["organisation"] == "东风煤业信访办" and "东风煤业信访办" in enrolled.output
    assert keys.office["fingerprint"] == trust.OfficeKeys.load(office_dir / "office" / "office-keys.json").fingerprint


def test_an_altered_token_is_refused(tmp_path, office_keys):
    token = office_keys.token()
    token["office"]["box"] = base64.b64encode(bytes(32)).decode()
    with pytest.raises(trust.TrustError) as refused:
        trust.enroll_device(tmp_path / "device-keys.json", canonical_bytes(token))
    assert refused.value.message_key == "error.trust.token_fingerprint"
    assert not (tmp_path / "device-keys.json").exists()


# -- quarantine, approval, revocation ------------------------------------------------------


def test_unknown_device_is_quarantined_then_merged_on_approval(office, office_keys, laptop_keys, demo_laptop):
    bundle, raw = _sealed_demo(demo_laptop, laptop_keys)
    report = _import(office, office_keys, raw)
    assert report.status == "quarantined" and laptop_keys.fingerprint in report.reason
    assert office.all(ISSUES) == []
    [entry] = devices.devices(office).values()
    assert entry["state"] == "pending" and entry["fingerprint"] == laptop_keys.fingerprint
    assert len(list(paths.Home.beside(office.path).quarantine_dir.iterdir())) == 1
    assert _import(office, office_keys, raw).status == "quarantined"  # kept once
    assert len(list(paths.Home.beside(office.path).quarantine_dir.iterdir())) == 1

    _, entry, reports = devices.approve(office, office_keys, paths.Home.beside(office.path).quarantine_dir, laptop_keys.fingerprint)
    assert entry["state"] == "approved" and [r.status for r in reports] == ["imported"]
    assert len(office.all(ISSUES)) == len(bundle["issues"])
    assert list(paths.Home.beside(office.path).quarantine_dir.iterdir()) == []
    assert _import(office, office_keys, raw).status == "already_imported"


def test_rejected_and_revoked_devices_are_refused(office, office_keys, laptop_keys, demo_laptop):
    _approve_laptop(office, office_keys, laptop_keys, demo_laptop)
    devices.set_state(office, laptop_keys.fingerprint, devices.REVOKED)
    _, raw = _sealed_demo(demo_laptop, laptop_keys)
    _refused(office, office_keys, raw, "已被吊销")
    with pytest.raises(Exception):
        devices.set_state(office, laptop_keys.fingerprint, devices.APPROVED)  # revoked is final


# -- every refusal leaves the store byte-identical -----------------------------------------


def _refused(office, keys, raw, words, allow_unsigned=False):
    before = office.path.read_bytes()
    report = _import(office, keys, raw, allow_unsigned)
    assert report.status == "rejected", report
    assert words in report.reason
    assert office.path.read_bytes() == before


def _resign(envelope, sign_key):
    body = {key: value for key, value in envelope.items() if key != "signature"}
    return {**body, "signature": base64.b64encode(sign_key.sign(canonical_bytes(body)).signature).decode()}


def test_sealed_to_another_office_is_refused(tmp_path, office, office_keys, demo_laptop):
    other = trust.OfficeKeys.generate("别的单位")
    stranger = trust.enroll_device(tmp_path / "stranger.json", canonical_bytes(other.token()))
    _, raw = _sealed_demo(demo_laptop, stranger)
    _refused(office, office_keys, raw, "另一个办公室")


def test_bad_signature_is_refused(office, office_keys, laptop_keys, demo_laptop):
    _approve_laptop(office, office_keys, laptop_keys, demo_laptop)
    envelope = seal_bundle(export_bundle(demo_laptop), laptop_keys)
    signature = bytearray(base64.b64decode(envelope["signature"]))
    signature[0] ^= 1
    _refused(office, office_keys, sealed.encode({**envelope, "signature": base64.b64encode(bytes(signature)).decode()}), "签名不符")


def test_tampered_ciphertext_is_refused(office, office_keys, laptop_keys, demo_laptop):
    _approve_laptop(office, office_keys, laptop_keys, demo_laptop)
    envelope = seal_bundle(export_bundle(demo_laptop), laptop_keys)
    cipher = bytearray(base64.b64decode(envelope["sealed"]))
    cipher[60] ^= 0x40
    tampered = {**envelope, "sealed": base64.b64encode(bytes(cipher)).decode()}
    _refused(office, office_keys, sealed.encode(tampered), "签名不符")  # as it arrives
    _refused(office, office_keys, sealed.encode(_resign(tampered, laptop_keys.sign_key)), "无法打开")  # even re-signed


def test_a_known_device_with_another_key_is_refused(tmp_path, office, office_keys, laptop_keys, demo_laptop):
    _approve_laptop(office, office_keys, laptop_keys, demo_laptop)
    forger = trust.DeviceKeys(trust.SigningKey.generate(), laptop_keys.office)
    _, raw = _sealed_demo(demo_laptop, forger)
    _refused(office, office_keys, raw, "另一把密钥")


def test_unsigned_bundles_are_refused_once_devices_are_enrolled(office, office_keys, laptop_keys, demo_laptop):
    plain = fmt.encode(export_bundle(demo_laptop))
    _approve_laptop(office, office_keys, laptop_keys, _empty_laptop())
    _refused(office, office_keys, plain, "未签名")
    assert _import(office, office_keys, plain, allow_unsigned=True).status == "imported"


def _empty_laptop():
    from fieldvisit.stores.store import MemoryStore

    store = MemoryStore()
    editor = Editor(store, device_name="空笔记本")
    editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
    return store


def test_sealed_without_office_keys_is_refused(office, laptop_keys, demo_laptop):
    _, raw = _sealed_demo(demo_laptop, laptop_keys)
    _refused(office, None, raw, "还没有密钥")


# -- the whole path on the command line, and what leaks ------------------------------------


def test_cli_enroll_export_quarantine_approve_and_no_petitioner_data_leaks(tmp_path):
    runner = CliRunner()
    laptop, office_dir, stick = tmp_path / "laptop", tmp_path / "office", tmp_path / "stick"

    def run(*args, **kwargs):
        result = runner.invoke(main, [*args], catch_exceptions=False, **kwargs)
        return result

    assert run("demo", "--data-dir", str(laptop), "--anchor", "2026-11-20", "--no-open").exit_code == 0
    made = run("office", "keys", "init", "--data-dir", str(office_dir), "--organisation", "东风煤业信访办")
    assert made.exit_code == 0, made.output
    token = tmp_path / "enroll.json"
    assert run("office", "enroll", "--data-dir", str(office_dir), "--out", str(token)).exit_code == 0
    enrolled = run("enroll", "--data-dir", str(laptop), str(token))
    assert enrolled.exit_code == 0, enrolled.output
    fp = trust.DeviceKeys.load(laptop / "field" / "device-keys.json").fingerprint
    assert fp in enrolled.output

    exported = run("export", "--data-dir", str(laptop), "--all", "--out", str(stick), "--json")
    assert exported.exit_code == 0, exported.output
    [sealed_file] = stick.glob("*.fvb")
    with TinyDBStore.in_directory(laptop / "field") as field:
        identities = {str(values(issue).get(name)) for issue in field.all(ISSUES) for name in IDENTITY_FIELDS if values(issue).get(name)}
    assert identities
    content = gzip.decompress(sealed_file.read_bytes())
    assert orjson.loads(content)["format"] == "fieldvisit.sealed"
    for secret_text in identities:
        assert secret_text.encode() not in content and secret_text.encode() not in sealed_file.read_bytes()

    waiting = run("import", "--data-dir", str(office_dir), str(stick))
    assert waiting.exit_code == 0 and "尚未批准" in waiting.output
    listed = run("office", "devices", "--data-dir", str(office_dir))
    assert fp in listed.output and "待批准" in listed.output
    approved = run("office", "devices", "--data-dir", str(office_dir), "--approve", fp.lower())
    assert approved.exit_code == 0, approved.output
    with TinyDBStore.in_directory(office_dir / "office") as office:
        assert len(office.all(ISSUES)) == 48
    revoked = run("office", "devices", "--data-dir", str(office_dir), "--revoke", fp)
    assert revoked.exit_code == 0 and "已吊销" in revoked.output


def test_cli_key_backup_and_restore(tmp_path):
    runner = CliRunner()
    office_dir = tmp_path / "office"
    assert runner.invoke(main, ["office", "keys", "init", "--data-dir", str(office_dir)]).exit_code == 0
    keys_file = office_dir / "office" / "office-keys.json"
    fp = trust.OfficeKeys.load(keys_file).fingerprint
    backup = tmp_path / "keys.backup"
    made = runner.invoke(main, ["office", "keys", "backup", "--data-dir", str(office_dir), "--out", str(backup), "--fast-kdf"], input="pass phrase\npass phrase\n")
    assert made.exit_code == 0, made.output
    keys_file.unlink()
    wrong = runner.invoke(main, ["office", "keys", "restore", "--data-dir", str(office_dir), str(backup)], input="nope\n")
    assert wrong.exit_code == 1 and "口令不对" in wrong.output and not keys_file.exists()
    right = runner.invoke(main, ["office", "keys", "restore", "--data-dir", str(office_dir), str(backup)], input="pass phrase\n")
    assert right.exit_code == 0 and trust.OfficeKeys.load(keys_file).fingerprint == fp


# -- QR frames, sealed end to end through real PNG images ----------------------------------


def test_qr_frames_sealed_end_to_end_through_png(tmp_path, office, office_keys, laptop_keys, demo_laptop):
    from fieldvisit.sync.qr_images import decode_image
    from fieldvisit.sync.qr_render import write_png
    from fieldvisit.sync.qr_transfer import bundle_frames, payloads_from_lines

    visits = export_bundle(demo_laptop)["visits"]
    issues_per_visit = {visit["id"]: 0 for visit in visits}
    for issue in demo_laptop.all(ISSUES):
        issues_per_visit[values(issue)["visit_id"]] += 1
    biggest = max(issues_per_visit, key=issues_per_visit.get)
    bundle = export_bundle(demo_laptop, [biggest])
    payload = sealed.seal_binary(bundle, bundle["device"]["id"], laptop_keys.sign_key, laptop_keys.office_box, laptop_keys.office["fingerprint"])
    frames = bundle_frames(bundle, sealed_payload=payload)
    assert len(frames) <= len(bundle_frames(bundle)) + 1  # sealing costs at most one frame

    lines = []
    for number, frame in enumerate(frames, 1):
        lines.extend(decode_image(write_png(frame.text(), tmp_path / f"{number}.png")))
    identities = {str(values(issue).get(name)) for issue in demo_laptop.all(ISSUES) if values(issue)["visit_id"] == biggest for name in IDENTITY_FIELDS if values(issue).get(name)}
    assert identities and not any(name in line for name in identities for line in lines)

    [(name, raw)] = payloads_from_lines(lines, "images")[0]
    gate = devices.TrustGate(office, office_keys, paths.Home.beside(office.path).quarantine_dir)
    [report] = import_bundles(office, [(name, raw)], now=NOW, gate=gate)
    assert report.status == "quarantined"
    _, _, [merged] = devices.approve(office, office_keys, paths.Home.beside(office.path).quarantine_dir, laptop_keys.fingerprint)
    assert merged.status == "imported" and len(office.all(ISSUES)) == issues_per_visit[biggest]

    forged = bytearray(raw)
    forged[-100] ^= 1
    _refused(office, office_keys, bytes(forged), "签名不符")


# -- office exports back to a laptop are signed by the office and checked there -------------


def test_office_exports_are_signed_and_checked_on_the_enrolled_laptop(tmp_path, office, office_keys, demo_laptop):
    from fieldvisit.trust.field_gate import FieldGate

    _approve_laptop(office, office_keys, trust.enroll_device(tmp_path / "l.json", canonical_bytes(office_keys.token())), demo_laptop)
    keys_for_laptop = trust.DeviceKeys.load(tmp_path / "l.json")
    back = export_bundle(office, device_id=demo_laptop.meta()["device_id"])
    signed = sealed.sign_office(back, office_keys.sign_key, office_keys.fingerprint)

    with TinyDBStore(tmp_path / "laptop-store.json") as laptop:
        Editor(laptop, device_name="笔记本")
        before = laptop.path.read_bytes()

        def attempt(raw, keys=keys_for_laptop, allow_unsigned=False):
            [report] = import_bundles(laptop, [("from office", raw)], now=NOW, gate=FieldGate(keys, allow_unsigned))
            return report

        altered = dict(signed)
        body = bytearray(base64.b64decode(altered["bundle"]))
        body[-9] ^= 1
        altered["bundle"] = base64.b64encode(bytes(body)).decode()
        for raw, words in [
            (sealed.encode(altered), "办公室签名不符"),
            (sealed.encode(sealed.sign_office(back, trust.SigningKey.generate(), office_keys.fingerprint)), "办公室签名不符"),
            (sealed.encode(sealed.sign_office(back, office_keys.sign_key, "AAAA-BBBB-CCCC-DDDD")), "另一个办公室"),
            (fmt.encode(back), "只接受办公室签名"),
        ]:
            report = attempt(raw)
            assert report.status == "rejected" and words in report.reason, report
            assert laptop.path.read_bytes() == before
        assert "尚未登记" in attempt(sealed.encode(signed), keys=None).reason
        assert laptop.path.read_bytes() == before
        assert attempt(sealed.encode(signed)).status == "imported"
        assert len(laptop.all(ISSUES)) == len(demo_laptop.all(ISSUES))
