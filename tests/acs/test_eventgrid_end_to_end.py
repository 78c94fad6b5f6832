"""The Event Grid wiring of an ACS resource through the CLI, against the local organisation and
its in-process ACS emulator (the demo resource, its ARM slice kept in `.smsconf/acs.json`).

What apply did in Azure is looked at through the emulator's ARM API with a client of its own,
never through the reconciler's view of it; `callback-urls` reports the wiring with exit 2 when
it is wrong; `migrate telesign --to` an ACS account ends in a configuration that applies and
plans to zero.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from tests.acs.local import acs_config, plan_json
from tools.testkit.workspace import Workspace, ws

from smsconf.connect import local_acs
from smsconf.emulator.acs import (
    DEMO_ACCESS_KEY,
    DEMO_EVENT_GRID_APP_ID,
    DEMO_EVENT_GRID_TENANT_ID,
    DEMO_RESOURCE,
    DEMO_TWO_WAY,
)
from smsconf.exitcodes import ExitCode
from smsconf.target import state_dir

__all__ = ["ws"]  # the fixture, used by name

ENDPOINT = "https://sms-webhook.example/acs/events?code=org-webhook-code"
TOPIC = (
    f"/subscriptions/{DEMO_RESOURCE.subscription}/resourceGroups/{DEMO_RESOURCE.resource_group}"
    "/providers/Microsoft.EventGrid/systemTopics/contoso-acs-events"
)
ACCOUNT = f"""\
  - name: contoso-acs
    provider: acs
    resource_name: contoso-acs
    resource_id: {DEMO_RESOURCE.id}
    connection_string: ${{env:SMSCONF_TEST_ACS:-endpoint=http://acs.local/;accesskey={DEMO_ACCESS_KEY}}}
    event_grid:
      mode: MODE
      endpoint: {ENDPOINT}
"""
CONFIG = acs_config(ACCOUNT, DEMO_TWO_WAY)


def acs_workspace(ws: Workspace, mode: str) -> Workspace:
    ws.config.write_text(CONFIG.replace("MODE", mode), encoding="utf-8")
    return ws


def arm(method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    """One request to the local organisation's ARM, as any Azure client would send it."""

    async def send() -> httpx.Response:
        _, _, url, transport = local_acs(home=state_dir())
        async with httpx.AsyncClient(transport=transport, base_url=url) as http:
            return await http.request(
                method,
                path,
                params={"api-version": "2025-02-15"},
                json=body,
                headers={"Authorization": "Bearer an-admin-in-the-portal"},
            )

    return asyncio.run(send())


def applies_then_plans_to_zero(ws: Workspace, *apply_args: str) -> None:
    applied = ws.smsconf("apply", "examples/", "--auto-approve", *apply_args)
    assert applied.exit_code == ExitCode.OK, applied.output
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output


def event_grid_changes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in plan["resource_changes"] if c["table"].startswith("eventgrid.")]


def test_a_missing_subscription_is_reported_then_created_when_managed_and_replanned_to_zero(
    ws: Workspace,
) -> None:
    acs_workspace(ws, "checked")
    plan = plan_json(ws)
    assert not event_grid_changes(plan)
    todos = [n["text"] for n in plan["notes"] if n["level"] == "todo"]
    assert any("no Event Grid system topic" in t for t in todos), todos
    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.CHANGES, urls.output
    assert "ACS 'contoso-acs' Event Grid: must deliver" in urls.output
    assert "not right: no system topic" in urls.output

    ws.edit("mode: checked", "mode: managed")
    saved = ws.plan("--out", "plan.json")
    assert saved.exit_code in (ExitCode.OK, ExitCode.CHANGES), saved.output
    planned = json.loads((ws.root / "plan.json").read_text(encoding="utf-8"))
    topic, subscription = event_grid_changes(planned)
    assert (topic["address"], subscription["address"]) == (
        "event_grid_system_topic[contoso-acs/contoso-acs-events]",
        "event_grid_subscription[contoso-acs/dynamics365-sms]",
    )
    assert topic["step"] < subscription["step"]
    assert arm("GET", f"{TOPIC}/eventSubscriptions/dynamics365-sms").status_code == 404

    applies_then_plans_to_zero(ws, "--plan", "plan.json")
    made = arm("GET", f"{TOPIC}/eventSubscriptions/dynamics365-sms").json()["properties"]
    assert made["filter"]["includedEventTypes"] == [
        "Microsoft.Communication.SMSReceived",
        "Microsoft.Communication.SMSDeliveryReportReceived",
    ]
    assert made["eventDeliverySchema"] == "EventGridSchema"
    hook = made["destination"]["properties"]
    assert (
        hook["azureActiveDirectoryTenantId"],
        hook["azureActiveDirectoryApplicationIdOrUri"],
    ) == (
        DEMO_EVENT_GRID_TENANT_ID,
        DEMO_EVENT_GRID_APP_ID,
    )
    full = arm("POST", f"{TOPIC}/eventSubscriptions/dynamics365-sms/getFullUrl").json()
    assert full["endpointUrl"] == ENDPOINT
    journal = next((ws.home / "journal").glob("apply-*.jsonl")).read_text(encoding="utf-8")
    assert "event_grid_subscription[contoso-acs/dynamics365-sms]" in journal

    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.OK, urls.output
    assert f"subscription(s) dynamics365-sms to {ENDPOINT}: right" in urls.output


def test_a_wrong_subscription_is_a_person_step_and_callback_urls_exits_2(ws: Workspace) -> None:
    acs_workspace(ws, "managed")
    assert arm(
        "PUT",
        TOPIC,
        {
            "location": "global",
            "properties": {
                "source": DEMO_RESOURCE.id,
                "topicType": "Microsoft.Communication.CommunicationServices",
            },
        },
    ).status_code in (200, 201)
    wrong = {
        "properties": {
            "destination": {
                "endpointType": "WebHook",
                "properties": {"endpointUrl": "https://old-webhook.example/sms"},
            },
            "filter": {"includedEventTypes": ["Microsoft.Communication.SMSReceived"]},
            "eventDeliverySchema": "EventGridSchema",
        }
    }
    assert arm("PUT", f"{TOPIC}/eventSubscriptions/dynamics365-sms", wrong).status_code == 201
    plan = plan_json(ws)
    [todo] = [n for n in plan["notes"] if "event subscription 'dynamics365-sms'" in n["text"]]
    assert todo["level"] == "todo" and "examples/channels.yaml:" in todo["subject"]
    assert "its endpoint is https://old-webhook.example/sms" in todo["text"]
    assert "Entra authentication is off" in todo["text"]
    assert "does not edit an existing subscription" in todo["text"]
    assert not any(c["id"].endswith("/dynamics365-sms") for c in event_grid_changes(plan))
    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.CHANGES, urls.output
    assert "not right: system topic 'contoso-acs-events'" in urls.output
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    after = arm("POST", f"{TOPIC}/eventSubscriptions/dynamics365-sms/getFullUrl").json()
    assert after["endpointUrl"] == "https://old-webhook.example/sms"  # never edited


TELESIGN = """\
accounts:
  - name: contoso-telesign
    provider: telesign
    customer_id: DEMO-CUSTOMER-0001
    api_key: ${env:SMSCONF_TEST_KEY:-ZGVtby1hcGkta2V5LWZvci1zbXNjb25mLWxvY2FsLW9yZw==}
    numbers:
      - number: "18005550100"  # the orders line
        type: toll_free
      - number: "14255550100"
        type: geo
ACS
queues:
  - name: SMS queue
    managed: true
workstreams:
  - name: SMS orders
    fallback_queue: SMS queue
    sms:
      number: "18005550100"
      file_attachments:  # customers send photos of their parcels
        customers: true
"""


def test_migrate_telesign_to_acs_applies_and_replans_to_zero(ws: Workspace) -> None:
    ws.config.write_text(
        TELESIGN.replace("ACS\n", ACCOUNT.replace("MODE", "managed")), encoding="utf-8"
    )
    first = ws.apply()
    assert first.exit_code == ExitCode.OK, first.output

    moved = ws.smsconf("migrate", "telesign", "--to", "contoso-acs", "examples/")
    assert moved.exit_code == ExitCode.OK, moved.output
    out = moved.output
    assert "moved: number 18005550100 from 'contoso-telesign' to 'contoso-acs'" in out
    assert "kept on Telesign: number 14255550100" in out and "geographic number" in out
    assert "attachments off: workstream 'SMS orders'" in out
    for step in ("Letter of Authorization", "Sync from Azure", "apply creates the Event Grid"):
        assert step in out, step
    text = ws.config.read_text(encoding="utf-8")
    assert 'number: "+18005550100"' in text and "file_attachments" not in text
    assert "# the orders line" in text

    assert ws.smsconf("validate", "examples/").exit_code == ExitCode.OK
    applies_then_plans_to_zero(ws)
    (channel,) = ws.rows("msdyn_ocsmschannelsetting", msdyn_name="SMS orders")
    (number,) = ws.rows("msdyn_ocphonenumber", msdyn_phonenumber="+18005550100")
    assert channel["_msdyn_phonenumberid_value"] == number["msdyn_ocphonenumberid"]
    assert not channel["msdyn_enablefileattachmentforcustomers"]


def test_an_arm_endpoint_the_workflow_names_is_held_to_the_host_policy(ws: Workspace) -> None:
    """SMSCONF_ARM_ENDPOINT (a sovereign cloud, a served emulator) is the workflow's, and like
    every host it must be documented or allowed before any secret is read."""
    acs_workspace(ws, "checked")
    env = {"SMSCONF_ARM_ENDPOINT": "http://127.0.0.1:9", "SMSCONF_ARM_TOKEN": "an-arm-token-x"}
    refused = ws.smsconf("plan", "examples/", "--target", "http://127.0.0.1:8", env=env)
    assert refused.exit_code == ExitCode.UNTRUSTED_HOST, refused.output
    assert "SMSCONF_ARM_ENDPOINT: error: arm host 127.0.0.1:9 is not trusted" in refused.output
    assert "no secret was read" in refused.output


def test_callback_urls_says_an_acs_resource_without_resource_id_was_not_checked(
    ws: Workspace,
) -> None:
    acs_workspace(ws, "checked")
    ws.edit(f"    resource_id: {DEMO_RESOURCE.id}\n", "")
    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.OK, urls.output
    assert "ACS 'contoso-acs' Event Grid: not checked: resource_id is not set" in urls.output
