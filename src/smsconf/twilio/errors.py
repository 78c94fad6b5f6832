"""Exceptions of the Twilio client. Messages carry the account SID, HTTP status and Twilio's
code and message, never a header or the Auth Token, so they are safe to print and log."""

from smsconf.http_client import ProviderRejected


class TwilioError(Exception):
    """Base class: any failure talking to Twilio."""


class TwilioUnreachable(TwilioError):
    """No HTTP answer at all (DNS, refused connection, TLS, timeout) after the retries."""


class TwilioRejected(TwilioError, ProviderRejected):
    """Twilio answered with an error body (§3.4): `code` is Twilio's, `status` the HTTP one."""

    provider = "Twilio"
    code: int | None
