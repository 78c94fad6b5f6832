"""URLs are parsed once, at validation, with located errors (issue 21): what urllib or httpx
would raise later (exit 1 mid-plan) is a configuration error where the URL is written."""

from __future__ import annotations

import pytest
from cfgtest import Checker, base_config, find, set_in

from smsconf.config.problems import format_path

BAD = [
    ("http://[::1", "cannot be parsed (Invalid IPv6 URL)"),
    ("https://rest-api.telesign.com:99999", "Port out of range"),
    ("https://rest-api.telesign.com\r\nX-Forged: 1", "control character"),
    ("https://rest api.telesign.com", "space"),
    ("https://rest-api.telesign.com:0", "port 0"),
    ("https://", "must be"),
]


@pytest.mark.parametrize(("url", "fragment"), BAD)
def test_a_bad_endpoint_is_located(check: Checker, url: str, fragment: str) -> None:
    problem = find(check(set_in(base_config(), "accounts/0/endpoint", url)), fragment)
    assert format_path(problem.path) == "accounts[0].endpoint"
    assert problem.position is not None


@pytest.mark.parametrize(("url", "fragment"), BAD)
def test_a_bad_target_or_gateway_is_located(check: Checker, url: str, fragment: str) -> None:
    https = url.replace("http://", "https://")
    data = set_in(base_config(), "environments", {"prod": {"target": https, "gateway": https}})
    problems = check(data)
    for field in ("target", "gateway"):
        assert format_path(find(problems, fragment, f"environments.prod.{field}").path)


@pytest.mark.parametrize(
    "url", ["https://rest-api.telesign.com", "http://127.0.0.1:8443/", "https://[::1]:443"]
)
def test_good_urls_pass(check: Checker, url: str) -> None:
    assert check(set_in(base_config(), "accounts/0/endpoint", url)) == []
