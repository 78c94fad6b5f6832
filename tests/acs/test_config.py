"""`provider: acs` accounts: the resource as the admin center's connect dialog names it, E.164
numbers with the plus, and an ACS channel refusing file attachments, each located."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from smsconf.config.loader import load_config, validate_paths
from smsconf.config.model import AzureResource
from smsconf.config.problems import ConfigError, Problem, format_path

RESOURCE_ID = (
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-sms"
    "/providers/Microsoft.Communication/CommunicationServices/contoso-acs"
)
BASE: dict[str, Any] = {
    "accounts": [
        {
            "name": "Contoso ACS",
            "provider": "acs",
            "resource_name": "contoso-acs",
            "resource_id": RESOURCE_ID,
            "connection_string": "${env:CONTOSO_ACS_CONNECTION_STRING}",
            "event_grid": {"mode": "managed", "endpoint": "https://sms.example.com/webhook"},
            "numbers": [
                {"number": "+18005550100", "type": "toll_free"},
                {"number": "+447700900123", "type": "mobile"},
                {"number": "55123", "type": "short_code"},
            ],
        }
    ],
    "queues": [{"name": "Support"}],
    "workstreams": [
        {"name": "ACS", "fallback_queue": "Support", "sms": {"number": "+18005550100"}}
    ],
}


def problems(tmp_path: Path, data: dict[str, Any]) -> list[Problem]:
    path = tmp_path / "acs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    try:
        validate_paths([path])
    except ConfigError as exc:
        return exc.problems
    return []


def changed(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    edit(data)
    return data


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, "\n".join(p.render() for p in found)
    return found[0]


def test_the_contract_example_is_valid_and_exposes_the_resource(tmp_path: Path) -> None:
    assert problems(tmp_path, BASE) == []
    config = load_config([tmp_path / "acs.yaml"])
    account = config.accounts[0]
    assert account.resource == AzureResource(
        "00000000-0000-4000-8000-000000000001", "rg-sms", "contoso-acs"
    )
    assert account.identifier == "contoso-acs"
    assert account.secret_name == "connection_string"
    assert account.secret.reference == "${env:CONTOSO_ACS_CONNECTION_STRING}"
    assert account.event_grid is not None and account.event_grid.mode == "managed"
    assert account.event_grid.subscription_name == "dynamics365-sms"


@pytest.mark.parametrize(
    "bad",
    [
        "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Communication/"
        "CommunicationServices/contoso-acs",
        "contoso-acs",
        RESOURCE_ID.replace("Microsoft.Communication", "Microsoft.Web"),
        RESOURCE_ID + "/extra",
    ],
)
def test_a_bad_resource_id_is_located(tmp_path: Path, bad: str) -> None:
    found = only(problems(tmp_path, changed(lambda d: d["accounts"][0].update(resource_id=bad))))
    assert found.message == "resource_id is not an ACS resource id"
    assert format_path(found.path) == "accounts[0].resource_id"
    assert found.position is not None and found.position.line == 5
    assert "Properties" in (found.hint or "")


def test_resource_id_of_another_resource(tmp_path: Path) -> None:
    data = changed(lambda d: d["accounts"][0].update(resource_name="fabrikam-acs"))
    found = only(problems(tmp_path, data))
    assert "names resource 'contoso-acs', not resource_name 'fabrikam-acs'" in found.message


def test_a_number_without_plus_is_located_with_the_fix(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["accounts"][0]["numbers"][0]["number"] = "18005550100"
        d["workstreams"][0]["sms"]["number"] = "18005550100"

    found = only(problems(tmp_path, changed(edit)))
    assert format_path(found.path) == "accounts[0].numbers[0].number"
    assert "E.164 with its plus sign" in found.message
    assert found.hint == 'write "+18005550100"'


def test_a_short_code_has_no_plus(tmp_path: Path) -> None:
    data = changed(lambda d: d["accounts"][0]["numbers"][2].update(number="+55123"))
    assert only(problems(tmp_path, data)).hint == "write 55123"


def test_number_types_are_the_acs_ones(tmp_path: Path) -> None:
    data = changed(lambda d: d["accounts"][0]["numbers"][1].update(type="geo"))
    found = only(problems(tmp_path, data))
    assert found.message == "an acs number's type is one of toll_free, short_code, mobile"
    assert "toll-free, short code and mobile" in (found.hint or "")
    data = changed(lambda d: d["accounts"][0]["numbers"][1].update(type="mobil"))
    assert only(problems(tmp_path, data)).hint == "did you mean 'mobile'?"


def test_file_attachments_on_an_acs_channel_are_refused_with_the_reason(tmp_path: Path) -> None:
    for given in ({"customers": True}, {"customers": False, "agents": False}):
        data = changed(lambda d, g=given: d["workstreams"][0]["sms"].update(file_attachments=g))
        found = only(problems(tmp_path, data))
        assert format_path(found.path) == "workstreams[0].sms.file_attachments"
        assert "File attachments aren't supported in the SMS channel using ACS" in (
            found.hint or ""
        )


def test_other_providers_fields_are_refused_with_the_acs_twin(tmp_path: Path) -> None:
    data = changed(
        lambda d: d["accounts"][0].update(api_key="${env:K}", endpoint="https://x.example")
    )
    found = problems(tmp_path, data)
    assert [(format_path(p.path), p.hint) for p in found] == [
        ("accounts[0].api_key", "use connection_string"),
        ("accounts[0].endpoint", "remove it"),
    ]
    telesign = changed(lambda d: d["accounts"][0].update(provider="telesign"))
    hints = {format_path(p.path): p.hint for p in problems(tmp_path, telesign)}
    assert hints["accounts[0].resource_name"] == "set provider: acs, or use customer_id and api_key"


def test_missing_acs_fields_and_a_literal_connection_string(tmp_path: Path) -> None:
    data = changed(lambda d: d["accounts"][0].pop("connection_string"))
    assert only(problems(tmp_path, data)).message == (
        "missing required key 'connection_string' for an acs account"
    )
    assert problems(tmp_path, changed(lambda d: d["accounts"][0].pop("resource_id"))) == []
    secret = "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0"
    data = changed(lambda d: d["accounts"][0].update(connection_string=secret))
    found = only(problems(tmp_path, data))
    assert format_path(found.path) == "accounts[0].connection_string"
    assert "c2VjcmV0" not in found.render()


def test_typos_get_suggestions(tmp_path: Path) -> None:
    data = changed(
        lambda d: d["accounts"][0].update(resource_nme=d["accounts"][0].pop("resource_name"))
    )
    assert "did you mean 'resource_name'?" in [p.hint for p in problems(tmp_path, data)]
    data = changed(lambda d: d["accounts"][0]["event_grid"].update(mode="manged"))
    assert only(problems(tmp_path, data)).hint == "did you mean 'managed'?"
    data = changed(lambda d: d["accounts"][0]["event_grid"].update(sytem_topic="t"))
    assert only(problems(tmp_path, data)).hint == "did you mean 'system_topic'?"


def test_managed_event_grid_needs_its_endpoint(tmp_path: Path) -> None:
    data = changed(lambda d: d["accounts"][0]["event_grid"].pop("endpoint"))
    found = only(problems(tmp_path, data))
    assert format_path(found.path) == "accounts[0].event_grid.mode"
    data = changed(lambda d: d["accounts"][0]["event_grid"].update(endpoint="http://x.example"))
    assert "https://" in only(problems(tmp_path, data)).message


def test_one_number_under_two_providers_is_a_duplicate(tmp_path: Path) -> None:
    twilio = {
        "name": "tw",
        "provider": "twilio",
        "account_sid": "AC" + "0" * 32,
        "auth_token": "${env:TW}",
        "numbers": [{"number": "18005550100", "type": "toll_free"}],
    }
    data = changed(lambda d: d["accounts"].append(twilio))
    assert "already listed under account 'Contoso ACS'" in only(problems(tmp_path, data)).message
