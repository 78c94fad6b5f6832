"""The Telesign deprecation warning names both providers `migrate telesign --to` takes."""

from __future__ import annotations

from pathlib import Path

from smsconf.config.loader import load
from smsconf.reconcile.migration import telesign_notes

TELESIGN = """accounts:
  - name: old
    provider: telesign
    customer_id: C-1
    api_key: ${env:OLD_KEY}
"""


def warning(tmp_path: Path, text: str) -> str:
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    [note] = telesign_notes(load([path]).config)
    assert note.level == "warning"
    return note.text


def test_the_warning_names_twilio_and_acs_without_a_target_account(tmp_path: Path) -> None:
    text = warning(tmp_path, TELESIGN)
    assert "account(s) 'old' still use it" in text
    assert "Declare a `provider: twilio` or `provider: acs` account and run" in text
    assert "`smsconf migrate telesign --to ACCOUNT PATH...`" in text


def test_the_warning_names_the_accounts_the_configuration_already_has(tmp_path: Path) -> None:
    acs = TELESIGN + (
        "  - name: new-acs\n    provider: acs\n    resource_name: r\n"
        "    resource_id: /subscriptions/5d0c4a8e-0000-4000-8000-00000000a0c5/resourceGroups/"
        "g/providers/"
        "Microsoft.Communication/CommunicationServices/r\n"
        "    connection_string: ${env:ACS}\n"
    )
    text = warning(tmp_path, acs)
    assert "`provider: acs` account (this configuration has 'new-acs') and run" in text
