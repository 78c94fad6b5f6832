"""Family A bodies: ids, timestamps and descriptions as Telesign formats them (§4, §5.1)."""

import json
import re

from smsconf.emulator.telesign import bodies


def test_reference_ids_are_fresh_upper_hex() -> None:
    ids = {bodies.reference_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[0-9A-F]{32}", value) for value in ids)


def test_timestamp_is_rfc3339_with_microseconds() -> None:
    assert bodies.timestamp(1477058736.181346) == "2016-10-21T14:05:36.181346Z"


def test_error_body() -> None:
    reply = bodies.error(401, 10008, 0.0, signature_string="GET\n\n/v1/x")
    body = json.loads(reply.body)
    assert reply.status_code == 401
    assert body["status"] == {
        "code": 10008,
        "description": "Invalid Signature.",
        "updated_on": "1970-01-01T00:00:00.000000Z",
    }
    assert body["signature_string"] == "GET\n\n/v1/x"
    assert "errors" not in body


def test_unknown_code_still_has_a_description() -> None:
    assert bodies.status_block(777, 0.0)["description"] == "Status 777"
