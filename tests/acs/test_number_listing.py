"""An ACS resource's numbers checked in one listing when there are many (reconcile.acs
`_numbers`, acs.numbers.LIST_FROM): the same verdicts as one read per number, in a page per
100 numbers instead of a request per number; a few numbers are still read one by one."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from smsconf.acs import numbers as acs_numbers
from smsconf.config.model import Config
from smsconf.emulator.acs import DEMO_ACCESS_KEY, PhoneNumber, create_app, demo_resource
from smsconf.reconcile.acs import check_acs

ENDPOINT = "https://contoso-acs.communication.azure.com"


class Counted(httpx.AsyncBaseTransport):
    """The emulator in process, every request's path counted."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.paths: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        return await self.inner.handle_async_request(request)


def numbers(count: int) -> list[str]:
    return [f"+1800555{i:04d}" for i in range(count)]


def resource_numbers(count: int) -> list[PhoneNumber]:
    """The resource's numbers: the configured ones but the last (not in the resource), every
    fifth outbound only, every seventh with no SMS, and one more nobody configured."""
    served = []
    for i, phone in enumerate(numbers(count)[:-1]):
        sms = "none" if i % 7 == 3 else "outbound" if i % 5 == 1 else "inbound+outbound"
        served.append(PhoneNumber(phone, sms=sms))  # type: ignore[arg-type]
    return [*served, PhoneNumber("+18005559999")]


def config(count: int) -> Config:
    return Config.model_validate(
        {
            "accounts": [
                {
                    "name": "Contoso ACS",
                    "provider": "acs",
                    "resource_name": "contoso-acs",
                    "connection_string": "${env:BENCH_ACS}",
                    "event_grid": {"mode": "ignored"},
                    "numbers": [{"number": n, "type": "toll_free"} for n in numbers(count)],
                }
            ]
        }
    )


def checked(count: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], Counter[str]]:
    monkeypatch.setenv("BENCH_ACS", f"endpoint={ENDPOINT}/;accesskey={DEMO_ACCESS_KEY}")
    app = create_app([demo_resource(numbers=resource_numbers(count), short_codes=[])])
    transport = Counted(app)
    found = asyncio.run(check_acs(config(count), {}, lambda path: None, transport=transport))
    assert [c.status for c in found.credentials] == ["ok"]
    verdicts = [(n.number, n.verdict, n.detail) for n in found.numbers]
    return [verdicts, sorted(found.unsafe), sorted(n.text for n in found.notes)], transport.paths


@pytest.mark.parametrize("count", [acs_numbers.LIST_FROM, 250])
def test_many_numbers_are_one_listing_with_the_verdicts_of_one_read_each(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed, paths = checked(count, monkeypatch)
    # The key check, then a page per 100 of the resource's numbers (the configured ones but
    # one, and one more): no read of a single number.
    assert paths == {"/phoneNumbers": 1 + (count - 1 + 1 + 99) // 100}
    monkeypatch.setattr("smsconf.reconcile.acs.LIST_FROM", count + 1)
    one_by_one, paths = checked(count, monkeypatch)
    assert sum(paths.values()) == 1 + count
    assert listed == one_by_one
    verdicts = Counter(verdict for _, verdict, _ in listed[0])
    assert verdicts["not_in_resource"] == 1 and verdicts["outbound_only"] > 0
    assert verdicts["no_sms"] > 0 and verdicts["consistent"] > 0


def test_a_few_numbers_are_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _, paths = checked(acs_numbers.LIST_FROM - 1, monkeypatch)
    assert paths["/phoneNumbers"] == 1  # the key check only
    assert sum(paths.values()) == 1 + acs_numbers.LIST_FROM - 1
