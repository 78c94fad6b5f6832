"""The API-key fingerprint (issue 21): a slow, salted key derivation, stable run to run, and
fingerprints of earlier versions migrated once without rewriting a key that did not change."""

from __future__ import annotations

import hashlib
import hmac
import time

from tools.testkit.workspace import CONTOSO_DEMO_KEY, Workspace

from smsconf.config.secrets import fingerprint, is_legacy, legacy_fingerprint
from smsconf.exitcodes import ExitCode

ENTRY = "msdyn_occommunicationprovidersettingentry"
NEW_KEY = "bmV3LWtleS1hZnRlci1yb3RhdGlvbi0wMDAwMDAwMQ=="


def test_a_fingerprint_is_slow_salted_long_and_stable() -> None:
    org_a, org_b = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    one = fingerprint("a key", org_a)
    assert one == fingerprint("a key", org_a.upper())  # stable, as ids are compared
    assert one != fingerprint("a key", org_b)  # one table of guesses serves one org only
    assert one.startswith("scrypt1:") and len(one.removeprefix("scrypt1:")) == 64  # 256 bits
    public = hmac.new(b"smsconf-secret-fingerprint-v1", b"a key", hashlib.sha256).hexdigest()
    assert public[:16] not in one and public[:16] == legacy_fingerprint("a key")
    start = time.process_time()
    fingerprint("a guess", org_a)  # not remembered yet: one guess costs a key derivation
    assert time.process_time() - start > 0.005  # vs ~1 microsecond for the HMAC it replaces
    assert is_legacy(public[:16]) and not is_legacy(one)


def legacy_entries(ws: Workspace) -> None:
    """The organisation as an earlier version left it: each account's entry holds the HMAC."""
    for row in ws.rows(ENTRY, msdyn_key="smsconf.api_key_fingerprint"):
        account = row["_msdyn_communicationprovidersettingentid_value"]
        key = CONTOSO_DEMO_KEY if account in contoso_ids(ws) else None
        if key is not None:
            ws.update(ENTRY, row[f"{ENTRY}id"], {"msdyn_value": legacy_fingerprint(key)})


def contoso_ids(ws: Workspace) -> set[str]:
    return {
        str(r["msdyn_occommunicationprovidersettingid"])
        for r in ws.rows("msdyn_occommunicationprovidersetting", msdyn_name="contoso-telesign")
    }


def test_an_old_fingerprint_is_updated_once_and_the_key_is_not_rewritten(
    applied: Workspace,
) -> None:
    legacy_entries(applied)
    env = {"CONTOSO_TELESIGN_API_KEY": CONTOSO_DEMO_KEY}
    planned = applied.plan("--detailed-exitcode", env=env)
    assert planned.exit_code == ExitCode.CHANGES, planned.output
    assert "Plan: 1 to update." in planned.stdout, planned.stdout
    assert "update API key fingerprint of account 'contoso-telesign'" in planned.stdout
    assert "credential change" not in planned.stdout  # the key is not rewritten
    assert "updates it once to scrypt1" in planned.stdout
    assert applied.apply(env=env).exit_code == ExitCode.OK
    again = applied.plan("--detailed-exitcode", env=env)
    assert again.exit_code == ExitCode.OK, again.output  # not a spurious change forever


def test_an_old_fingerprint_of_another_key_is_a_key_change(applied: Workspace) -> None:
    legacy_entries(applied)
    env = {"CONTOSO_TELESIGN_API_KEY": NEW_KEY}
    planned = applied.plan("--skip-credentials", "--detailed-exitcode", env=env)
    assert planned.exit_code == ExitCode.CHANGES, planned.output
    assert "! credential change" in planned.stdout
    assert "Plan: 2 to update." in planned.stdout
