"""Accounts come from code (DEMO_ACCOUNTS) or a YAML/JSON file, validated."""

import base64
import json
import traceback
from pathlib import Path

import pydantic
import pytest

from smsconf.emulator.telesign.accounts import (
    DEFAULT_DELIVERY,
    DEMO_ACCOUNTS,
    AccountsFileError,
    EmulatedAccount,
    load_setup,
)


def test_demo_accounts() -> None:
    by_name = {account.name: account for account in DEMO_ACCOUNTS}
    contoso, fabrikam = by_name["contoso-telesign"], by_name["fabrikam-telesign"]
    assert contoso.customer_id == "DEMO-CUSTOMER-0001"
    assert contoso.api_key == "ZGVtby1hcGkta2V5LWZvci1zbXNjb25mLWxvY2FsLW9yZw=="
    assert fabrikam.customer_id == "DEMO-CUSTOMER-0002"
    assert fabrikam.api_key == "c2Vjb25kLWRlbW8ta2V5LWZvci1zbXNjb25m"
    for account in DEMO_ACCOUNTS:
        assert account.sms_enabled and account.phoneid_enabled
        assert base64.b64decode(account.api_key, validate=True)
        assert account.api_key not in repr(account)


def test_load_yaml(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - customer_id: C1\n"
        "    api_key: a2V5\n"
        "    sms_enabled: false\n"
        "    allowed_hosts: [rest-ww.telesign.com]\n"
        "    numbers: [{number: '14255550100', kind: toll_free}]\n"
        "    delivery: {'15555550123': [290, 507]}\n"
        "directory:\n"
        "  '447700900123': {phone_type: VOIP, country: GB}\n",
        encoding="utf-8",
    )
    setup = load_setup(path)
    account = setup.accounts[0]
    assert (account.customer_id, account.sms_enabled, account.allowed_hosts) == (
        "C1",
        False,
        ("rest-ww.telesign.com",),
    )
    assert account.owns("14255550100") is not None and account.owns("1") is None
    assert account.script_for("15555550123") == (290, 507)
    assert account.script_for("15555550000") == DEFAULT_DELIVERY
    assert setup.directory["447700900123"].phone_type == "VOIP"


def test_load_json(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [{"customer_id": "C2", "api_key": "a2V5"}]}))
    assert load_setup(path).accounts[0].customer_id == "C2"


@pytest.mark.parametrize(
    "entry",
    [
        {"customer_id": "C", "api_key": "k", "typo": 1},
        {"customer_id": "C", "api_key": "k", "numbers": [{"number": "+1 425"}]},
        {"customer_id": "C", "api_key": "k", "delivery": {"1555": []}},
        {"customer_id": "", "api_key": "k"},
    ],
)
def test_bad_entries_are_refused(entry: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        EmulatedAccount.model_validate(entry)


def test_a_key_that_cannot_sign_is_refused_without_showing_it() -> None:
    with pytest.raises(pydantic.ValidationError) as raised:
        EmulatedAccount(customer_id="C", api_key="secret-not-base64!")
    assert "not base64" in str(raised.value)
    assert "secret-not-base64" not in str(raised.value)


SECRET = "c2VjcmV0LWtleS12YWx1ZQ=="


@pytest.mark.parametrize(
    ("content", "located"),
    [
        (f'accounts:\n  - customer_id: C\n    api_key: "{SECRET}\n', "accounts.yaml:3:14:"),
        (
            f"accounts:\n  - customer_id: C\n    api_key: {SECRET}\n  - [oops\n",
            "accounts.yaml:4:5:",
        ),
    ],
)
def test_bad_yaml_is_located_without_quoting_the_key(
    tmp_path: Path, content: str, located: str
) -> None:
    """PyYAML's messages quote the offending lines, and in this file those hold API keys."""
    path = tmp_path / "accounts.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AccountsFileError) as raised:
        load_setup(path)
    assert located in str(raised.value) and "not valid YAML" in str(raised.value)
    assert SECRET not in str(raised.value)
    assert SECRET not in "".join(traceback.format_exception(raised.value))


def test_invalid_content_lists_every_problem_by_place(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(
        f"accounts:\n  - customer_id: C\n    api_key: {SECRET}\n    apikey: {SECRET}\n"
        "    numbers: [{number: '+1 555'}]\n",
        encoding="utf-8",
    )
    with pytest.raises(AccountsFileError) as raised:
        load_setup(path)
    message = str(raised.value)
    assert "accounts.0.numbers.0.number: String should match pattern" in message
    assert "accounts.0.apikey: Extra inputs are not permitted" in message
    assert SECRET not in message


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"accounts: [\xff]")
    with pytest.raises(AccountsFileError, match="not UTF-8 text"):
        load_setup(tmp_path / "latin1.yaml")
    with pytest.raises(AccountsFileError, match="cannot read it"):
        load_setup(tmp_path / "missing.yaml")
