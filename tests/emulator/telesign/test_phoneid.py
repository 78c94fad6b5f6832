"""What PhoneID reports: owned numbers, the directory, then a prefix guess."""

import pytest

from smsconf.emulator.telesign.accounts import DEMO_ACCOUNTS, Handset
from smsconf.emulator.telesign.phoneid import describe, phoneid_body

ACCOUNTS = {account.customer_id: account for account in DEMO_ACCOUNTS}


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("14255550100", Handset(phone_type="FIXED_LINE", country="US")),
        ("447700900123", Handset(phone_type="FIXED_LINE", country="GB")),
        ("18005550199", Handset(phone_type="TOLL_FREE", country="US")),
        ("18775550000", Handset(phone_type="TOLL_FREE", country="US")),
        ("33612345678", Handset(phone_type="MOBILE", country="FR")),
        ("4479460", Handset(phone_type="INVALID", country="GB")),
        ("8612345678901", Handset(phone_type="MOBILE", country=None)),
    ],
)
def test_describe(number: str, expected: Handset) -> None:
    assert describe(number, ACCOUNTS, {}) == expected


def test_directory_wins_over_the_guess() -> None:
    directory = {"33612345678": Handset(phone_type="VOIP", country="FR")}
    assert describe("33612345678", ACCOUNTS, directory).phone_type == "VOIP"


def test_body_shape() -> None:
    status = {"code": 300, "description": "Transaction successfully completed"}
    body = phoneid_body("447700900123", Handset(phone_type="MOBILE", country="GB"), "R", status)
    assert body["phone_type"] == {"code": "2", "description": "MOBILE"}
    assert body["location"]["country"] == {"name": "United Kingdom", "iso2": "GB", "iso3": "GBR"}
    assert body["numbering"]["original"]["country_code"] == "44"
    assert body["numbering"]["cleansing"]["sms"]["phone_number"] == "7700900123"
    assert body["status"] == status
