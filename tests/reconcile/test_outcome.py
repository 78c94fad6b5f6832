"""Exit codes are a contract with CI scripts: each outcome maps to exactly one documented code,
and the more serious problem wins when there are several."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from smsconf.exitcodes import ExitCode
from smsconf.reconcile.apply import ApplyReport
from smsconf.reconcile.outcome import (
    apply_blocker,
    apply_exit,
    newly_connected,
    plan_exit,
    telesign_support_message,
)
from smsconf.reconcile.plan import Change, Credential, Plan

OK = Credential("contoso", "telesign", "C-1", "ok", "")
BAD = Credential("fabrikam", "telesign", "C-2", "invalid", "wrong key")
CHANGE = Change("update", "queue", "queue 'Q'", "queue", ("Q",), "id-1")
EMPTY = Plan("local", "local", "org-1", "sha256:" + "0" * 64, credentials=(OK,))


def plan(changes: bool = False, bad_credentials: bool = False, unsafe: bool = False) -> Plan:
    return dataclasses.replace(
        EMPTY,
        changes=(CHANGE,) if changes else (),
        credentials=(OK, BAD) if bad_credentials else (OK,),
        unsafe=("too many deletes",) if unsafe else (),
    )


@pytest.mark.parametrize(
    ("kwargs", "detailed", "expected"),
    [
        ({}, False, ExitCode.OK),
        ({}, True, ExitCode.OK),
        ({"changes": True}, False, ExitCode.OK),
        ({"changes": True}, True, ExitCode.CHANGES),
        ({"changes": True, "unsafe": True}, True, ExitCode.UNSAFE_PLAN),
        ({"unsafe": True}, False, ExitCode.UNSAFE_PLAN),
        ({"changes": True, "unsafe": True, "bad_credentials": True}, True, ExitCode.CREDENTIALS),
        ({"bad_credentials": True}, False, ExitCode.CREDENTIALS),
    ],
)
def test_plan_exit(kwargs: dict[str, bool], detailed: bool, expected: ExitCode) -> None:
    assert plan_exit(plan(**kwargs), detailed=detailed) == expected


def test_apply_blocker() -> None:
    assert apply_blocker(plan(changes=True), ignore_credentials=False) is None
    bad = plan(changes=True, bad_credentials=True)
    assert apply_blocker(bad, ignore_credentials=False) == ExitCode.CREDENTIALS
    assert apply_blocker(bad, ignore_credentials=True) is None
    unsafe = plan(changes=True, unsafe=True, bad_credentials=True)
    assert apply_blocker(unsafe, ignore_credentials=True) == ExitCode.UNSAFE_PLAN


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"done": 3}, ExitCode.OK),
        ({}, ExitCode.OK),
        ({"done": 2, "stale": 1}, ExitCode.STALE_PLAN),
        ({"stale": 1, "not_attempted": 2}, ExitCode.STALE_PLAN),
        ({"done": 2, "failed": 1}, ExitCode.PARTIAL_APPLY),
        ({"failed": 1, "stale": 1}, ExitCode.PARTIAL_APPLY),
        ({"done": 1, "not_attempted": 1}, ExitCode.PARTIAL_APPLY),
    ],
)
def test_apply_exit(counts: dict[str, int], expected: ExitCode) -> None:
    assert apply_exit(ApplyReport(Path("journal.jsonl"), **counts)) == expected


def test_support_message_names_url_subject_and_customer_id() -> None:
    """The seed page's request to Telesign support, one per account, ready to paste, with the
    configuration's Customer ID whether or not the credential check ran."""
    urls = {"contoso": "https://gw/telesign/incoming?orgId=org-1", "other": "https://gw/x"}
    ids = {"contoso": "C-1", "other": "C-9"}
    message = telesign_support_message(dataclasses.replace(EMPTY, callback_urls=urls), ids)
    assert "Account 'contoso': callback URL https://gw/telesign/incoming?orgId=org-1" in message
    assert "support@telesign.com" in message
    assert '"Omnichannel for Customer Service callback URL update request"' in message
    assert "Customer ID C-1." in message and "Customer ID C-9." in message
    assert "unknown" not in message
    only = telesign_support_message(dataclasses.replace(EMPTY, callback_urls=urls), ids, ["other"])
    assert "contoso" not in only and "Account 'other'" in only
    assert telesign_support_message(EMPTY, ids) == ""


def test_only_accounts_the_plan_connects_need_telling_telesign() -> None:
    urls = {"contoso": "https://gw/a", "fabrikam": "https://gw/a"}
    created = Change("create", "account", "account 'fabrikam'", "t", ("fabrikam",), "id-2")
    updated = Change("update", "account", "account 'contoso'", "t", ("contoso",), "id-3")
    connecting = dataclasses.replace(EMPTY, callback_urls=urls, changes=(created, updated))
    assert newly_connected(connecting) == ["fabrikam"]
    assert newly_connected(dataclasses.replace(connecting, changes=(updated,))) == []
