"""Apply's settling of ambiguous failures: each step journaled as what really happened.

A write can fail although its effect is in place (the first attempt committed, its answer was
lost, the retry was refused), or "fail" because someone else moved the row. Apply reads back
and calls a step done only when the organisation holds the result; otherwise failed, stale or
not attempted, never guessed. Run against the in-process emulator through a real client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.dataverse.peers import BatchUnanswered, in_process
from tools.testkit.workspace import EXAMPLES

from smsconf.config.loader import load
from smsconf.config.model import Config
from smsconf.dataverse import DataverseClient, OperationResult, RetryPolicy, StaticToken
from smsconf.dataverse.errors import NotExecuted, TransportFailure
from smsconf.emulator.dataverse import create_app
from smsconf.reconcile.apply import (
    PROVIDER_CONCURRENCY,
    NotSecured,
    Progress,
    ProviderSteps,
    _settle,
    _status,
    execute,
    operation,
    secrets_for,
)
from smsconf.reconcile.journal import Journal
from smsconf.reconcile.plan import Change, ColumnChange, Plan

QUEUE = "queue"
LINK = "msdyn_msdyn_cannedmessage_liveworkstream"


@pytest.fixture
async def dv() -> AsyncIterator[DataverseClient]:
    app = create_app()
    try:
        async with DataverseClient(
            "http://org.test", StaticToken("t"), transport=httpx.ASGITransport(app=app)
        ) as client:
            yield client
    finally:
        app.close()


async def make_queue(dv: DataverseClient, name: str, priority: int) -> tuple[str, str]:
    """A queue row as if an earlier attempt had written it; returns (id, etag)."""
    row_id = str(uuid.uuid4())
    await dv.create("queues", {"name": name, "msdyn_priority": priority}, id=row_id)
    row = await dv.get("queues", row_id)
    assert row is not None
    return row_id, row["@odata.etag"]


def queue_change(action: str, row_id: str, priority: int, etag: str | None = None) -> Change:
    columns = (ColumnChange("msdyn_priority", None, priority),)
    body: dict[str, Any] = {"msdyn_priority": priority}
    return Change(
        action=action,  # type: ignore[arg-type]
        kind="queue",
        label=f"queue {row_id[:8]}",
        table=QUEUE,
        key=(row_id,),
        id=row_id,
        columns=columns if action != "delete" else (),
        body=body if action != "delete" else {},
        etag=etag,
    )


async def run(
    dv: DataverseClient,
    tmp_path: Path,
    *changes: Change,
    continue_on_error: bool = True,
    progress: Callable[[Progress], None] | None = None,
    provider: ProviderSteps | None = None,
) -> list[tuple[str, str]]:
    """Execute changes as one plan; (status, detail) per step from the journal (which is in
    the order answers arrived: a success is written when its answer comes)."""
    numbered = [
        Change(**{**c.__dict__, "step": i + 1})  # type: ignore[arg-type]
        for i, c in enumerate(changes)
    ]
    plan = Plan(None, "local", str(uuid.uuid4()), "sha256:" + "0" * 64, tuple(numbered))
    journal = Journal(tmp_path, plan.checksum)
    try:
        await execute(
            plan,
            Config(),
            dv,
            journal,
            continue_on_error=continue_on_error,
            progress=progress,
            provider=provider,
        )
    finally:
        journal.close()
    return [(e.status, e.detail) for e in sorted(journal.entries, key=lambda e: e.step)]


async def test_create_that_already_exists_is_done(dv: DataverseClient, tmp_path: Path) -> None:
    """The create-only upsert of a retried create answers 412: the row is ours, in place."""
    row_id, _ = await make_queue(dv, "Q existing", 5)
    ((status, detail),) = await run(dv, tmp_path, queue_change("create", row_id, 5))
    assert status == "done" and "already in place" in detail
    assert len(await dv.get_all("queues", filter="name eq 'Q existing'")) == 1


async def test_delete_of_a_missing_row_is_done(dv: DataverseClient, tmp_path: Path) -> None:
    change = queue_change("delete", str(uuid.uuid4()), 0, etag='W/"1"')
    assert [s for s, _ in await run(dv, tmp_path, change)] == ["done"]


async def test_update_with_moved_etag(dv: DataverseClient, tmp_path: Path) -> None:
    """ETag moved: done if the row already holds what we write (our own lost answer), stale
    (and untouched) if someone else wrote something else."""
    mine, old_mine = await make_queue(dv, "Q mine", 5)
    theirs, old_theirs = await make_queue(dv, "Q theirs", 5)
    await dv.update("queues", mine, {"msdyn_priority": 7})
    await dv.update("queues", theirs, {"msdyn_priority": 9})
    statuses = await run(
        dv,
        tmp_path,
        queue_change("update", mine, 7, etag=old_mine),
        queue_change("update", theirs, 7, etag=old_theirs),
    )
    assert [s for s, _ in statuses] == ["done", "stale"]
    row = await dv.get("queues", theirs)
    assert row is not None and row["msdyn_priority"] == 9


async def test_association_already_in_place_is_done(dv: DataverseClient, tmp_path: Path) -> None:
    ws_id, reply_id = str(uuid.uuid4()), str(uuid.uuid4())
    await dv.create("msdyn_liveworkstreams", {"msdyn_name": "WS"}, id=ws_id)
    await dv.create("msdyn_cannedmessages", {"msdyn_title": "Hi"}, id=reply_id)
    await dv.associate("msdyn_liveworkstreams", ws_id, LINK, "msdyn_cannedmessages", reply_id)
    link = row_change(
        "associate",
        "msdyn_liveworkstream",
        ws_id,
        {},
        relationship=LINK,
        target_table="msdyn_cannedmessage",
        target_id=reply_id,
    )
    statuses = await run(dv, tmp_path, link)
    assert [s for s, _ in statuses] == ["done"]


# --- no answer at all ----------------------------------------------------------------------


def unanswered(change: Change, error: Exception) -> tuple[Change, OperationResult]:
    return change, OperationResult(operation(change, {}), None, error=error)  # type: ignore[arg-type]


async def test_unanswered_writes_are_read_back(dv: DataverseClient) -> None:
    """A $batch lost in transit: a create is done iff its row holds what it writes; a write
    not in place is failed (not 'not attempted': it may have been sent)."""
    lost = TransportFailure("connection dropped", request="POST $batch")
    written, _ = await make_queue(dv, "Q written", 3)
    cases = [
        unanswered(queue_change("create", written, 3), lost),
        unanswered(queue_change("create", str(uuid.uuid4()), 3), lost),
        unanswered(queue_change("create", written, 4), lost),  # exists, other value
    ]
    settled = await _settle(dv, cases)
    assert [_status(c, r, settled)[0] for c, r in cases] == ["done", "failed", "failed"]
    assert "no answer" in _status(*cases[1], settled)[1]


async def test_not_executed_steps_are_read_back(dv: DataverseClient) -> None:
    """After a replayed $batch, 'not executed' may hide a write of the first attempt."""
    skipped = NotExecuted("not executed: an earlier request of the batch failed")
    written, _ = await make_queue(dv, "Q first attempt", 2)
    cases = [
        unanswered(queue_change("create", written, 2), skipped),
        unanswered(queue_change("create", str(uuid.uuid4()), 2), skipped),
    ]
    settled = await _settle(dv, cases)
    assert [_status(c, r, settled)[0] for c, r in cases] == ["done", "not_attempted"]


async def test_secret_update_is_never_assumed_in_place(dv: DataverseClient) -> None:
    """A secured column reads back null, so an unanswered secret write cannot be proven."""
    row_id, etag = await make_queue(dv, "Q secret", 1)
    change = Change(
        action="update",
        kind="account",
        label="account",
        table=QUEUE,
        key=(row_id,),
        id=row_id,
        columns=(ColumnChange("msdyn_priority", None, None, sensitive=True),),
        etag=etag,
    )
    case = unanswered(change, TransportFailure("lost", request="POST $batch"))
    assert _status(*case, await _settle(dv, [case]))[0] == "failed"


# --- long applies: one $batch per chunk, progress told per answer ------------------------------


def told_as(events: list[Progress]) -> list[tuple[int, str, int]]:
    """(writes answered, the object named, writes still out) of each progress event."""
    return [(p.answered, p.writing.label if p.writing else "", p.in_flight) for p in events]


async def test_progress_counts_writes_as_answers_arrive_and_names_each(
    dv: DataverseClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Told per write, not per request: a display moves with every answer and says what is
    written; each request sent names its first object and how many it carries."""
    monkeypatch.setattr(dv, "batch_size", 2)
    changes = [queue_change("create", str(uuid.uuid4()), i) for i in range(5)]
    label = [c.label for c in changes]
    told: list[Progress] = []
    before = dv.stats.requests
    statuses = await run(dv, tmp_path, *changes, progress=told.append)
    assert [s for s, _ in statuses] == ["done"] * 5
    assert told_as(told) == [
        (0, label[0], 2),  # the first request goes
        (1, label[0], 1),
        (2, label[1], 0),
        (2, label[2], 2),  # the second
        (3, label[2], 1),
        (4, label[3], 0),
        (4, label[4], 1),
        (5, label[4], 0),
    ]
    assert {p.total for p in told} == {5}
    assert dv.stats.requests - before == 3  # one $batch request per chunk, nothing more


@pytest.mark.parametrize("keep_going", [False, True])
async def test_a_failure_stops_later_chunks_unless_told_to_continue(
    dv: DataverseClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_going: bool
) -> None:
    """Without continue-on-error, nothing after the request holding a failure is sent."""
    monkeypatch.setattr(dv, "batch_size", 1)
    row_id, _ = await make_queue(dv, "Q moved", 5)
    await dv.update("queues", row_id, {"msdyn_priority": 6})
    changes = [
        queue_change("update", row_id, 9, etag='W/"1"'),  # someone else moved it: stale
        queue_change("create", str(uuid.uuid4()), 1),
    ]
    statuses = await run(dv, tmp_path, *changes, continue_on_error=keep_going)
    assert [s for s, _ in statuses] == ["stale", "done" if keep_going else "not_attempted"]


async def test_a_request_without_an_answer_keeps_what_earlier_requests_did(
    tmp_path: Path,
) -> None:
    """Writes answered before a lost `$batch` are done; the lost request's are read back (not
    there: failed, never 'not attempted'); nothing after it is sent."""
    dropping = BatchUnanswered(create_app(), nth=2)
    told: list[Progress] = []
    async with in_process(dropping, retry=RetryPolicy(max_attempts=1)) as dv:
        dv.batch_size = 2
        changes = [queue_change("create", str(uuid.uuid4()), i) for i in range(5)]
        statuses = await run(dv, tmp_path, *changes, progress=told.append)
    dropping.app.close()
    assert [s for s, _ in statuses] == ["done", "done", "failed", "failed", "not_attempted"]
    answered = [p.answered for p in told]
    assert answered == sorted(answered) and answered[-1] == 4  # the fifth was never sent


# --- continue-on-error: dependents of a failed step are not sent -------------------------------


def row_change(action: str, table: str, row_id: str, body: dict[str, Any], **extra: Any) -> Change:
    """A write to any table (a link's: to its first table), labelled by the table and the id's
    first characters."""
    return Change(
        action=action,  # type: ignore[arg-type]
        kind=table,
        label=f"{table} {row_id[:8]}",
        table=table,
        key=(row_id,),
        id=row_id,
        body=body,
        **extra,
    )


async def test_a_failed_create_stops_its_dependents_not_its_neighbours(
    dv: DataverseClient, tmp_path: Path
) -> None:
    """A queue the service refuses: the workstream binding it is never sent, nor the channel
    of that workstream (each names what it needed); a queue and a workstream unrelated to it
    are written. The failure costs requests, one per dependency wave after it."""
    bad, good, orphan, child, other = (str(uuid.uuid4()) for _ in range(5))
    bind = "msdyn_defaultqueue@odata.bind"
    changes = [
        row_change("create", QUEUE, bad, {"name": 12}),  # a number for a text column: a 400
        row_change("create", QUEUE, good, {"name": "Q good"}),
        row_change("create", "msdyn_liveworkstream", orphan, {bind: f"/queues({bad})"}),
        row_change("create", "msdyn_liveworkstream", other, {bind: f"/queues({good})"}),
        row_change(
            "create",
            "msdyn_ocsmschannelsetting",
            child,
            {"msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({orphan})"},
        ),
    ]
    before = dv.stats.requests
    statuses = await run(dv, tmp_path, *changes)
    assert [s for s, _ in statuses] == ["failed", "done", "not_attempted", "done", "not_attempted"]
    assert statuses[2][1] == f"not attempted: it needs queue {bad[:8]}, which failed"
    assert statuses[4][1] == (
        f"not attempted: it needs msdyn_liveworkstream {orphan[:8]}, which was not attempted"
    )
    # the first $batch stopped at the bad queue; then a wave with the good queue, and one with
    # the workstream that needs it
    assert dv.stats.requests - before == 3
    assert await dv.get_all("msdyn_ocsmschannelsettings") == []


async def test_a_refused_child_delete_keeps_its_parent(dv: DataverseClient, tmp_path: Path) -> None:
    """Removing a workstream deletes its channel first: when that delete is refused (someone
    edited the channel since the plan), the workstream's delete is not sent (it would cascade
    over the edit); another removal goes ahead."""
    parent, other, channel = (str(uuid.uuid4()) for _ in range(3))
    for ws_id in (parent, other):
        await dv.create("msdyn_liveworkstreams", {"msdyn_name": ws_id[:8]}, id=ws_id)
    bind = {"msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({parent})"}
    await dv.create("msdyn_ocsmschannelsettings", bind, id=channel)
    removal = f"msdyn_liveworkstream[{parent}]"
    changes = [
        row_change(
            "delete", "msdyn_ocsmschannelsetting", channel, {}, etag='W/"1"', cascade_of=removal
        ),
        row_change("delete", "msdyn_liveworkstream", parent, {}),
        row_change("delete", "msdyn_liveworkstream", other, {}),
    ]
    assert changes[1].address == removal
    statuses = await run(dv, tmp_path, *changes)
    assert statuses[1] == (
        "not_attempted",
        f"not attempted: it needs msdyn_ocsmschannelsetting {channel[:8]}, which is stale",
    )
    assert [s for s, _ in statuses] == ["stale", "not_attempted", "done"]
    assert await dv.get("msdyn_liveworkstreams", parent) is not None
    assert await dv.get("msdyn_ocsmschannelsettings", channel) is not None


@pytest.mark.parametrize("column", ["msdyn_name", "msdyn_accountsid", "msdyn_nothere"])
def test_a_secret_goes_only_into_a_column_the_platform_secures(column: str) -> None:
    """Whatever a change says its secret columns are, the platform's facts decide: a key is
    never read, let alone written, for a column any reader of the table can see."""
    config = load([EXAMPLES / "channels.yaml"]).config
    account = config.accounts[0]
    change = Change(
        action="update",
        kind="account",
        label=f"account '{account.name}'",
        table="msdyn_occommunicationprovidersetting",
        key=(account.name,),
        id=str(uuid.uuid4()),
        secret_columns=(column,),
    )
    with pytest.raises(NotSecured, match=f"{column} is not a secured column"):
        secrets_for(change, config)
    secured = dataclasses.replace(change, secret_columns=("msdyn_securesecret",))
    assert list(secrets_for(secured, config)) == ["msdyn_securesecret"]


class Numbers:
    """Provider steps as a provider takes them: each write yields to the loop (its two round
    trips), so the steps that overlap are the ones apply sent together."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.failing = failing
        self.now = 0
        self.most = 0
        self.sent: list[str] = []
        self.events: list[tuple[str, str]] = []  # ("start" | "end", label), as they happen

    def owns(self, change: Change) -> bool:
        return change.table in ("number", "topic", "subscription")

    async def write(self, change: Change, config: Config) -> tuple[str, str]:
        self.sent.append(change.label)
        self.events.append(("start", change.label))
        self.now += 1
        self.most = max(self.most, self.now)
        for _ in range(3):
            await asyncio.sleep(0)
        self.now -= 1
        self.events.append(("end", change.label))
        return ("failed", "refused") if change.label in self.failing else ("done", "")


def number_change(n: int, table: str = "number") -> Change:
    return dataclasses.replace(
        queue_change("update", str(uuid.uuid4()), n), table=table, label=f"{table} {n}"
    )


async def test_provider_steps_go_a_few_at_a_time(dv: DataverseClient, tmp_path: Path) -> None:
    """One number at a time made 1,000 Twilio numbers take minutes; all at once would meet
    Twilio's concurrency limit. Every step is sent and journaled."""
    numbers = Numbers()
    statuses = await run(dv, tmp_path, *(number_change(i) for i in range(10)), provider=numbers)
    assert statuses == [("done", "")] * 10
    assert numbers.most == PROVIDER_CONCURRENCY > 1
    assert len(numbers.sent) == 10


@pytest.mark.parametrize("keep_going", [False, True])
async def test_a_provider_failure_stops_the_steps_not_yet_sent(
    dv: DataverseClient, tmp_path: Path, keep_going: bool
) -> None:
    """Without continue-on-error a failed number stops the sending: those already in flight
    finish, the rest of the run and every later step are not attempted."""
    numbers = Numbers(failing=frozenset({"number 0"}))
    changes = [*(number_change(i) for i in range(8)), queue_change("create", str(uuid.uuid4()), 1)]
    statuses = await run(dv, tmp_path, *changes, continue_on_error=keep_going, provider=numbers)
    if keep_going:
        assert [s for s, _ in statuses] == ["failed"] + ["done"] * 8
    else:
        in_flight = PROVIDER_CONCURRENCY - 1
        assert [s for s, _ in statuses] == (
            ["failed"] + ["done"] * in_flight + ["not_attempted"] * (8 - PROVIDER_CONCURRENCY + 1)
        )
        assert len(numbers.sent) == PROVIDER_CONCURRENCY


async def test_provider_steps_of_a_later_table_wait_for_the_earlier_ones(
    dv: DataverseClient, tmp_path: Path
) -> None:
    """An Event Grid subscription needs its topic, planned just before it: the topics go
    together, and no subscription is sent before every topic has been answered."""
    numbers = Numbers()
    changes = [
        *(number_change(i, "topic") for i in range(2)),
        *(number_change(i, "subscription") for i in range(2)),
    ]
    statuses = await run(dv, tmp_path, *changes, provider=numbers)
    assert statuses == [("done", "")] * 4
    assert numbers.events[:2] == [("start", "topic 0"), ("start", "topic 1")]  # together
    first_subscription = numbers.events.index(("start", "subscription 0"))
    assert {label for _, label in numbers.events[:first_subscription]} == {"topic 0", "topic 1"}
    assert numbers.events[first_subscription - 1][0] == "end"
