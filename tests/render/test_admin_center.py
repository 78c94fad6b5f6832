"""The ACS connection and its numbers are shown as the admin center's (read and checked, never
written), apart from the unmanaged objects; a number no configuration names stays unmanaged,
said to be the connection's. Every view says it the same way."""

from __future__ import annotations

import json

from smsconf.reconcile.plan import Plan, Unmanaged
from smsconf.render import RENDERERS

SETTING = "msdyn_occommunicationprovidersetting"
NUMBER = "msdyn_ocphonenumber"
PLAN = Plan(
    "local",
    "local",
    "00000000-0000-0000-0000-000000000001",
    "sha256:0",
    unmanaged=(
        Unmanaged(
            "account", "account 'contoso-acs'", SETTING, "1", "admin_center", "contoso-acs", True
        ),
        Unmanaged("queue", "queue 'Default messaging queue'", "queue", "2"),
        Unmanaged(
            "number", "number '+18005550100'", NUMBER, "3", "admin_center", "contoso-acs", True
        ),
        Unmanaged(
            "number", "number '+18005550101'", NUMBER, "4", "admin_center", "contoso-acs", False
        ),
    ),
)
OWNED = "2 object(s) owned by the admin center, read and checked, never written"
UNMANAGED = "2 unmanaged object(s) in the organisation (left untouched)"
SPARE = (
    "number '+18005550101' of ACS connection 'contoso-acs': the admin center's, and no "
    "configuration names it"
)


def test_text_groups_the_admin_centers_objects_apart() -> None:
    text = RENDERERS["text"](PLAN)
    assert (
        f"{OWNED}:\n  = ACS connection 'contoso-acs'\n"
        "  = number '+18005550100' of ACS connection 'contoso-acs'\n\n"
        f"{UNMANAGED}:\n  = queue 'Default messaging queue'\n  = {SPARE}\n"
    ) in text
    assert "account 'contoso-acs'" not in text


def test_markdown_and_html_say_the_same() -> None:
    markdown = RENDERERS["markdown"](PLAN)
    assert f"<summary>{OWNED}</summary>\n\n- ACS connection 'contoso-acs'\n" in markdown
    assert f"<summary>{UNMANAGED}</summary>" in markdown
    html = RENDERERS["html"](PLAN)
    assert f"<summary>{OWNED}</summary><ul><li>ACS connection &#x27;contoso-acs&#x27;</li>" in html
    assert f"<summary>{UNMANAGED}</summary>" in html


def test_the_json_plan_marks_each_row_additively() -> None:
    rows = json.loads(PLAN.to_json())["unmanaged"]
    assert [(r["label"], r["owner"], r["connection"], r["configured"]) for r in rows] == [
        ("account 'contoso-acs'", "admin_center", "contoso-acs", True),
        ("queue 'Default messaging queue'", None, None, False),
        ("number '+18005550100'", "admin_center", "contoso-acs", True),
        ("number '+18005550101'", "admin_center", "contoso-acs", False),
    ]


def test_only_unmanaged_objects_keep_the_one_group() -> None:
    plain = Plan("local", "local", PLAN.org_id, "sha256:0", unmanaged=PLAN.unmanaged[1:2])
    text = RENDERERS["text"](plain)
    assert "1 unmanaged object(s) in the organisation (left untouched):" in text
    assert "admin center" not in text
