"""Callbacks from the emulated Telesign to a customer URL (§10): delivery reports and inbound
(mo_sms) messages, signed over the exact body bytes and retried like Telesign does."""

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from smsconf.emulator.background import Background
from smsconf.telesign import signing

logger = logging.getLogger("smsconf.emulator.telesign")

TELESIGN_RETRY_DELAYS = (10.0, 30.0)


class CallbackSender(Background):
    """Posts callbacks in the background; `drain()` waits for every pending one (for tests).

    `retry_delays` are the waits before the second and third tries (Telesign: 10 s then 30 s).
    """

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_delays: Sequence[float] = TELESIGN_RETRY_DELAYS,
    ) -> None:
        super().__init__()
        self._transport = transport
        self._delays = tuple(retry_delays)

    def post(self, url: str, customer_id: str, api_key: str, payload: dict[str, Any]) -> None:
        self.start(self._deliver(url, customer_id, api_key, payload))

    async def _deliver(
        self, url: str, customer_id: str, api_key: str, payload: dict[str, Any]
    ) -> bool:
        body = json.dumps(payload)
        signature = signing.hmac_signature(api_key, body)
        headers = {
            "Content-Type": signing.JSON_CONTENT_TYPE,
            "Authorization": f"TSA {customer_id}:{signature}",
            "X-TS-Authorization": signature,
        }
        async with httpx.AsyncClient(transport=self._transport, timeout=10.0) as http:
            for delay in (0.0, *self._delays):
                await asyncio.sleep(delay)
                try:
                    reply = await http.post(url, content=body.encode("utf-8"), headers=headers)
                except httpx.HTTPError as exc:
                    logger.info("callback to %s failed: %s", url, type(exc).__name__)
                    continue
                if reply.status_code == 200:
                    return True
                logger.info("callback to %s answered %s", url, reply.status_code)
        return False
