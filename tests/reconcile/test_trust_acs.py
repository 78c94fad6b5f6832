"""The trust list names the ACS data plane when the target knows where it is: the local
organisation's in-process resource. For a real organisation the host is inside the connection
string (a secret), so it is not on the list computed before any secret is read; the host policy
holds it once the string is parsed (`acs.client.require_trusted`, exit 10)."""

from __future__ import annotations

from pathlib import Path

from smsconf.config.loader import load
from smsconf.hosts import HostPolicy
from smsconf.reconcile.trust import endpoints, named_route

ACS = """accounts:
  - name: contoso-acs
    provider: acs
    resource_name: contoso-acs
    connection_string: ${env:CONTOSO_ACS_CONNECTION_STRING}
"""
TELESIGN = """accounts:
  - name: old
    provider: telesign
    customer_id: C-1
    api_key: ${env:OLD_KEY}
"""


def hosts(tmp_path: Path, text: str, target: str) -> list[tuple[str, str, str]]:
    path = tmp_path / "channels.yaml"
    path.write_text(text, encoding="utf-8")
    found = endpoints(load([path]), named_route(target, "--target"))
    policy = HostPolicy.current()
    return [(e.service, e.authority, policy.verdict(e)) for e in found]


def test_the_local_target_lists_its_in_process_acs(tmp_path: Path) -> None:
    assert ("acs", "acs.local:80", "in_process") in hosts(tmp_path, ACS, "local")


def test_no_acs_account_no_acs_host(tmp_path: Path) -> None:
    assert all(service != "acs" for service, _, _ in hosts(tmp_path, TELESIGN, "local"))


def test_a_real_target_lists_no_acs_host_before_the_secret_is_read(tmp_path: Path) -> None:
    found = hosts(tmp_path, ACS, "https://contoso.crm.dynamics.com")
    assert found[0][0] == "dataverse"
    assert all(service != "acs" for service, _, _ in found)
