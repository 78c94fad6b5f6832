"""hosts.py: which hosts a run may contact; documented ones over HTTPS:443, others by allowance."""

from __future__ import annotations

import pytest

from smsconf.hosts import ALLOW_ENV, Endpoint, HostPolicy, UntrustedHost, allow, authority, require


@pytest.fixture(autouse=True)
def _no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    allow(())


@pytest.mark.parametrize(
    ("service", "url", "trusted"),
    [
        ("dataverse", "https://contoso.crm.dynamics.com", True),
        ("dataverse", "https://contoso.crm4.dynamics.com/", True),
        ("dataverse", "https://contoso.api.crm.dynamics.com:443", True),
        ("dataverse", "https://contoso.crm.microsoftdynamics.us", True),
        ("dataverse", "http://contoso.crm.dynamics.com", False),  # the token in clear
        ("dataverse", "https://contoso.crm.dynamics.com:8443", False),
        ("dataverse", "https://dynamics.com", False),
        ("dataverse", "https://evildynamics.com", False),
        ("dataverse", "https://contoso.crm.dynamics.com.evil.example", False),
        ("dataverse", "https://user@evil.example/.dynamics.com", False),
        ("dataverse", "https://rest-api.telesign.com", False),  # another service's host
        ("telesign", "https://rest-api.telesign.com", True),
        ("telesign", "https://rest-ww.telesign.com", True),
        ("telesign", "https://portal.telesign.com", False),
        ("twilio", "https://api.twilio.com", True),
        ("twilio", "https://api.dublin.ie1.twilio.com", True),
        ("acs", "https://contoso.communication.azure.com", True),
        ("github", "https://api.github.com", True),
        ("telesign", "http://127.0.0.1:8090", False),
        ("telesign", "http://[::1]:8090", False),
    ],
)
def test_documented_hosts_only(service: str, url: str, trusted: bool) -> None:
    verdict = HostPolicy.current().verdict(Endpoint(service, url, "test"))  # type: ignore[arg-type]
    assert (verdict == "documented") == trusted


@pytest.mark.parametrize(
    ("entry", "url"),
    [
        ("127.0.0.1:8090", "http://127.0.0.1:8090"),
        ("[::1]:8090", "http://[::1]:8090/v1"),
        ("proxy.contoso.example", "https://proxy.contoso.example"),  # host alone: port 443
        ("https://proxy.contoso.example:8443/x", "https://proxy.contoso.example:8443"),
        ("LocalHost:80", "http://localhost"),
    ],
)
def test_an_allowance_names_one_host_and_port(
    monkeypatch: pytest.MonkeyPatch, entry: str, url: str
) -> None:
    monkeypatch.setenv(ALLOW_ENV, f" other.example:1 , {entry}")
    assert HostPolicy.current().verdict(Endpoint("telesign", url, "test")) == "allowed"
    elsewhere = f"{url.split(':')[0]}://{authority(url).rsplit(':', 1)[0]}:1"
    assert HostPolicy.current().verdict(Endpoint("telesign", elsewhere, "test")) == "refused"


def test_the_flag_allows_like_the_variable_and_is_forgotten_after() -> None:
    allow(["127.0.0.1:9"])
    require("http://127.0.0.1:9", "dataverse")
    allow(())
    with pytest.raises(UntrustedHost, match=r"--allow-host 127\.0\.0\.1:9"):
        require("http://127.0.0.1:9", "dataverse")


def test_every_refusal_is_named_at_once_with_who_named_it() -> None:
    found = [
        Endpoint("dataverse", "https://contoso.crm.dynamics.com", "--target"),
        Endpoint("telesign", "https://anything.example", "a.yaml:7:5"),
        Endpoint("telesign", "http://telesign.local", "local", in_process=True),
        Endpoint("twilio", "http://api.twilio.com", "b.yaml:3:3"),
    ]
    with pytest.raises(UntrustedHost) as caught:
        HostPolicy.current().check(found)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("a.yaml:7:5: error: telesign host anything.example:443")
    assert "only https on port 443 is trusted for api.twilio.com" in lines[2]
    assert len(caught.value.refusals) == 2
