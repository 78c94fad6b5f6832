"""Exception messages carry Telesign's code and text, which is all a user needs to act."""

from smsconf.telesign.errors import TelesignError, TelesignRejected


def test_rejected_message_and_fields() -> None:
    error = TelesignRejected(400, 11013, "Invalid value for parameter sender_id.")
    assert isinstance(error, TelesignError)
    assert (error.http_status, error.code) == (400, 11013)
    assert str(error) == (
        "Telesign rejected the request: HTTP 400, code 11013: "
        "Invalid value for parameter sender_id."
    )
