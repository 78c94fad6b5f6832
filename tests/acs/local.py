"""What the ACS end-to-end tests share: a workstream on one number of an ACS account, and the
plan read as JSON."""

from __future__ import annotations

import json
from typing import Any

from tools.testkit.workspace import Workspace

from smsconf.exitcodes import ExitCode


def acs_config(account: str, number: str, sms: str = "") -> str:
    """`account` (its YAML list entry, up to its numbers) with `number`, a managed queue and a
    workstream on the number; `sms` adds lines under the workstream's `sms:`."""
    return f"""\
accounts:
{account}    numbers:
      - number: "{number}"
        type: toll_free
queues:
  - name: ACS queue
    managed: true
workstreams:
  - name: SMS via ACS
    fallback_queue: ACS queue
    sms:
      number: "{number}"
{sms}"""


def plan_json(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = ws.plan("--format", "json", *args, env=env)
    assert result.exit_code in (ExitCode.OK, ExitCode.CHANGES), result.output
    return json.loads(result.stdout)
