"""Endpoints resolve to base URLs; identity drives the credential cache."""

import pytest

from smsconf.telesign.account import ENTERPRISE_ENDPOINT, STANDARD_ENDPOINT, TelesignAccount
from smsconf.telesign.secret import ApiKey

KEY = ApiKey("a2V5")


@pytest.mark.parametrize(
    ("endpoint", "base_url"),
    [
        (None, "https://rest-api.telesign.com"),
        ("standard", STANDARD_ENDPOINT),
        ("Enterprise", "https://rest-ww.telesign.com"),
        ("http://127.0.0.1:8080/telesign/", "http://127.0.0.1:8080/telesign"),
    ],
)
def test_base_url(endpoint: str | None, base_url: str) -> None:
    assert TelesignAccount("a", "C", KEY, endpoint).base_url == base_url


def test_identity_ignores_the_name_and_equivalent_endpoints() -> None:
    one = TelesignAccount("one", "C", KEY, None)
    two = TelesignAccount("two", "C", ApiKey("a2V5"), STANDARD_ENDPOINT + "/")
    assert one.identity == two.identity
    assert one.identity != TelesignAccount("one", "C", KEY, ENTERPRISE_ENDPOINT).identity
    assert one.identity != TelesignAccount("one", "C", ApiKey("b3RoZXI="), None).identity
    assert one.identity != TelesignAccount("one", "C", KEY, None, "basic").identity


def test_repr_hides_the_key_and_type_is_checked() -> None:
    assert "a2V5" not in repr(TelesignAccount("a", "C", KEY))
    with pytest.raises(TypeError):
        TelesignAccount("a", "C", "a2V5")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TelesignAccount("a", "C", KEY, auth="digest")  # type: ignore[arg-type]
