"""What the Twilio CLI tests share: a workstream on a number of the demo Twilio account, and the
local organisation's Twilio asked directly over its HTTP API (Basic auth, as the console or a
Twilio client would), never through the reconciler's view of it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from tools.testkit.workspace import Workspace

from smsconf.connect import local_twilio
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
from smsconf.exitcodes import ExitCode
from smsconf.target import state_dir

TOKEN_VAR = "SMSCONF_TEST_TWILIO_TOKEN"
NUMBER = "14255550142"  # a number of the demo Twilio account


def twilio_config(description: str | None = None) -> str:
    """The Twilio account with NUMBER, a managed queue and a workstream on the number."""
    described = f"\n        description: {description}" if description else ""
    return f"""\
accounts:
  - name: contoso-twilio
    provider: twilio
    account_sid: {DEMO_ACCOUNT_SID}
    auth_token: ${{env:{TOKEN_VAR}:-{DEMO_AUTH_TOKEN}}}
    numbers:
      - number: "{NUMBER}"
        type: long_code{described}
queues:
  - name: Twilio queue
    managed: true
workstreams:
  - name: SMS via Twilio
    fallback_queue: Twilio queue
    sms:
      number: "{NUMBER}"
      language: en-US
"""


CONFIG = twilio_config(description="Twilio support line")


def twilio_workspace(ws: Workspace) -> Workspace:
    ws.config.write_text(CONFIG, encoding="utf-8")
    return ws


def plan_json(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = ws.plan("--format", "json", *args, env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.CHANGES), result.output
    return json.loads(result.stdout)


def twilio(method: str, path: str, **kwargs: Any) -> Any:
    """One request to the local organisation's Twilio, as the console or a Twilio client."""

    async def call() -> Any:
        url, transport = local_twilio(home=state_dir())
        async with httpx.AsyncClient(transport=transport, base_url=url) as http:
            reply = await http.request(
                method, path, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), **kwargs
            )
        reply.raise_for_status()
        return reply.json()

    return asyncio.run(call())


def twilio_number(phone: str) -> dict[str, Any]:
    """The IncomingPhoneNumber as the local organisation's Twilio serves it."""
    path = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/IncomingPhoneNumbers.json"
    (number,) = twilio("GET", path, params={"PhoneNumber": phone})["incoming_phone_numbers"]
    return number
