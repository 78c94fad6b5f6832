"""Webhooks from the emulated Twilio: inbound messages and status callbacks, form-encoded and
signed with `X-Twilio-Signature` over the exact URL called (§3.6-3.7). Twilio waits 15 s for an
answer and does not retry by default."""

from __future__ import annotations

import logging

import httpx

from smsconf.emulator.background import Background
from smsconf.twilio import signature

logger = logging.getLogger("smsconf.emulator.twilio")
TIMEOUT = 15.0


def inbound_params(
    account_sid: str, message_sid: str, sender: str, to: str, body: str, service: str | None
) -> dict[str, str]:
    """The parameters of an inbound-SMS webhook (those Microsoft's test client posts)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": sender,
        "MessageSid": message_sid,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsMessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsStatus": "received",
        "To": to,
    }
    if service:
        params["MessagingServiceSid"] = service
    return params


class WebhookSender(Background):
    """Sends webhooks; `deliver` waits for one, `post` sends one in the background."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__()
        self._transport = transport

    async def deliver(
        self, url: str, method: str, auth_token: str, params: dict[str, str]
    ) -> int | None:
        """The HTTP status the webhook got, or None without an answer."""
        signed = signature.signature(
            auth_token, url, {k: [v] for k, v in params.items()} if method == "POST" else {}
        )
        headers = {signature.HEADER: signed, "User-Agent": "TwilioProxy/1.1"}
        async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT) as http:
            try:
                if method == "GET":
                    reply = await http.get(url, params=params, headers=headers)
                else:
                    reply = await http.post(url, data=params, headers=headers)
            except httpx.HTTPError as exc:
                logger.info("webhook to %s failed: %s", url, type(exc).__name__)
                return None
        return reply.status_code

    def post(self, url: str, method: str, auth_token: str, params: dict[str, str]) -> None:
        self.start(self.deliver(url, method, auth_token, params))
