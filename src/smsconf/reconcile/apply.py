"""Apply a plan: re-check it is not stale, write in `$batch` requests, journal every step.

Every write is guarded on its own: updates and deletes carry the ETag the plan read
(`If-Match`), creates go to the row's deterministic id as create-only upserts
(`If-None-Match: *`). So each row write is individually safe and idempotent, and the writes are
sent as independent operations of `$batch` requests rather than change sets: a failure then
stops (or, with continue-on-error, skips) only what it must, and apply never claims a rollback.
When a write fails ambiguously (a retried request that may have committed the first time, or a
`$batch` request that got no answer at all), the row is read back and the step counts as done if
the organisation already holds the result; otherwise it is journaled as failed, never guessed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from smsconf.config.model import Config
from smsconf.dataverse import DataverseClient, Operation, OperationResult, operations
from smsconf.dataverse import batch as batches
from smsconf.dataverse.errors import (
    DataverseError,
    DuplicateRecord,
    NotExecuted,
    NotFound,
    PreconditionFailed,
)
from smsconf.mapping.ids import normalise
from smsconf.mapping.live import LiveState, Row
from smsconf.mapping.tables import FINGERPRINT_KEY, KIND_OF_TABLE
from smsconf.platform import TABLES
from smsconf.reconcile.dependencies import prerequisites, waves
from smsconf.reconcile.diff import FINGERPRINT_TABLE, same
from smsconf.reconcile.journal import Entry, Journal, Status
from smsconf.reconcile.plan import Change, Plan


class StalePlan(Exception):
    """The organisation or the configuration moved since the plan was made."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass
class ApplyReport:
    journal: Path
    done: int = 0
    failed: int = 0
    stale: int = 0
    not_attempted: int = 0
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False
    """Ctrl-C stopped the apply: what was answered is journaled, the rest is not attempted."""

    @property
    def complete(self) -> bool:
        return self.failed == self.stale == self.not_attempted == 0

    def count(self, status: Status) -> None:
        setattr(self, status, getattr(self, status) + 1)


AFTER_FAILURE = "not attempted: an earlier step failed"
INTERRUPTED = "not attempted: the apply was interrupted (Ctrl-C) before this step was sent"
IN_FLIGHT = (
    "interrupted while its request was in flight: it may be in place; run apply again, which "
    "settles it (creates are idempotent, updates guarded by ETags)"
)


def stale_rows(plan: Plan, live: LiveState) -> list[str]:
    """Why the plan no longer fits the organisation, one line per row (see `moved_rows`)."""
    return [why for _, why in moved_rows(plan, live)]


def moved_rows(plan: Plan, live: LiveState) -> list[tuple[frozenset[str], str]]:
    """Rows whose ETag moved since the plan read them, and rows it will create that now exist
    (at its id, or under its natural key: an admin made the same queue by hand meanwhile, and
    creating it would make a second one), each with the `table(id)` rows it concerns and named
    as a person knows it (kind and natural key), with how the columns the plan writes moved
    when it knows their earlier values, and the address for tools."""
    current: dict[str, Row] = {}
    names = {f"{c.table}({c.id})": c.label for c in plan.changes}
    for table, rows in live.rows.items():
        for row in rows:
            address = f"{table}({live.row_id(table, row)})"
            current[address] = row
            key = live.key_of(table, row)
            if key is not None and address not in names:
                kind = KIND_OF_TABLE.get(table, table).replace("_", " ")
                names[address] = f"{kind} '{'/'.join(key)}'"
    updates = {f"{c.table}({c.id})": c for c in plan.changes if c.action == "update"}
    moved: list[tuple[frozenset[str], str]] = []
    for address, etag in plan.read_etags.items():
        row = current.get(address)
        name = names.get(address, address)
        if row is None:
            moved.append((frozenset([address]), f"{name} was deleted ({address})"))
            continue
        now = str(row.get("@odata.etag", ""))
        if now == etag:
            continue
        how = _moved_columns(updates.get(address), row)
        moved.append(
            (
                frozenset([address]),
                f"{name} changed in the organisation"
                + (f": {'; '.join(how)}" if how else "")
                + f" (ETag {etag} → {now}; {address})",
            )
        )
    for change in plan.changes:
        if change.action != "create" or change.table not in TABLES:
            continue
        address = f"{change.table}({change.id})"
        twin = live.row(change.table, change.key)
        if address in current:
            moved.append((frozenset([address]), f"{change.label} now exists ({address})"))
        elif twin is not None:
            other = f"{change.table}({live.row_id(change.table, twin)})"
            moved.append(
                (
                    frozenset([address, other]),
                    f"{change.label} was created in the organisation since the plan ({other}); "
                    f"the planned create ({address}) would make a second one",
                )
            )
    return moved


def _moved_columns(change: Change | None, row: Row) -> list[str]:
    """`column: planned-from → now` for each column the plan writes whose live value moved."""
    if change is None:
        return []
    table = TABLES[change.table]
    how = []
    for column in change.columns:
        spec = table.column(column.column)
        if column.sensitive or spec is None:
            continue
        now = row.get(spec.read_name)
        if not same(column.before, now, spec.type, None):
            how.append(f"{column.column} was {column.before!r} when planned, now {now!r}")
    return how


def operation(change: Change, secrets: dict[str, str]) -> Operation:
    entity_set = TABLES[change.table].entity_set
    body = {**change.body, **{c: secrets[c] for c in change.secret_columns}}
    if change.action == "create":
        return operations.create(entity_set, body, id=change.id)
    if change.action == "update":
        return operations.update(entity_set, change.id, body, etag=change.etag)
    if change.action == "delete":
        return operations.delete(entity_set, change.id, etag=change.etag)
    assert change.relationship and change.target_table and change.target_id
    build = operations.associate if change.action == "associate" else operations.disassociate
    return build(
        entity_set,
        change.id,
        change.relationship,
        TABLES[change.target_table].entity_set,
        change.target_id,
    )


class NotSecured(ValueError):
    """A change would write a secret into a column the platform does not secure."""


def secrets_for(change: Change, config: Config) -> dict[str, str]:
    """Secret values a change writes, read from the configuration at the last moment, and only
    into columns the platform's facts say are secured (`platform.tables`): whatever a change
    says, a key never lands in a column that any reader of the table can see."""
    if not change.secret_columns:
        return {}
    table = TABLES[change.table]
    for column in change.secret_columns:
        spec = table.column(column)
        if spec is None or not spec.secured:
            raise NotSecured(
                f"{change.label}: {change.table}.{column} is not a secured column; "
                "no secret is written there"
            )
    account = next(a for a in config.accounts if (a.name,) == change.key)
    return {column: account.secret.resolve() for column in change.secret_columns}


@dataclass(frozen=True)
class Progress:
    """Where an apply is, for a display: writes answered of the plan's `total`, the object
    written now (the latest answered, or the first of a request just sent) and how many
    writes that request still has out."""

    answered: int
    total: int
    writing: Change | None = None
    in_flight: int = 0


class _Tracker:
    """Counts writes as their answers arrive (not requests: one `$batch` holds up to a
    thousand) and tells the listener at each answer and each request sent."""

    def __init__(self, total: int, listener: Callable[[Progress], None] | None) -> None:
        self.listener = listener
        self.progress = Progress(0, total)

    def sending(self, changes: Sequence[Change]) -> None:
        if self.listener is not None and changes:
            self._tell(self.progress.answered, changes[0], len(changes))

    def answered(self, change: Change) -> None:
        if self.listener is not None:
            self._tell(self.progress.answered + 1, change, max(self.progress.in_flight - 1, 0))

    def _tell(self, answered: int, writing: Change, in_flight: int) -> None:
        assert self.listener is not None
        self.progress = Progress(answered, self.progress.total, writing, in_flight)
        self.listener(self.progress)


class ProviderSteps(Protocol):
    """Writes a plan's provider steps (a Twilio number's inbound URL): (status, detail)."""

    def owns(self, change: Change) -> bool: ...

    async def write(self, change: Change, config: Config) -> tuple[Status, str]: ...


async def execute(
    plan: Plan,
    config: Config,
    client: DataverseClient,
    journal: Journal,
    *,
    continue_on_error: bool = False,
    progress: Callable[[Progress], None] | None = None,
    provider: ProviderSteps | None = None,
) -> ApplyReport:
    """Write the plan's changes in step order, journaling each as its answer arrives (a write
    is on disk before the next request goes); `progress` hears of each write answered and of
    each request sent, naming the object (`Progress`). Runs of Dataverse steps go in `$batch`
    requests; provider steps between them go to `provider` one by one, in their place in the
    order, so that (without continue-on-error) nothing after a failure is sent anywhere.
    Ctrl-C (the task cancelled) ends it cleanly: steps whose request was in flight are
    journaled failed (they may be in place, the next apply settles them), the rest not
    attempted, and the report says so."""
    changes = sorted(plan.changes, key=lambda c: c.step)
    report = ApplyReport(journal.path)
    recorded: set[int] = set()
    stopped = False

    def record(change: Change, status: Status, detail: str) -> None:
        journal.record(
            Entry(
                change.step,
                change.action,
                change.address,
                change.label,
                change.table,
                change.id,
                status,
                detail,
            )
        )
        recorded.add(id(change))
        report.count(status)
        if status in ("failed", "stale"):
            report.failures.append(f"{change.label}: {detail}")

    in_flight: set[int] = set()  # ids of the changes whose request awaits its answer
    tracker = _Tracker(len(changes), progress)
    try:
        for steps, for_provider in _runs(changes, provider):
            if stopped:
                for change in steps:
                    record(change, "not_attempted", AFTER_FAILURE)
                continue
            if for_provider:
                assert provider is not None
                await _provider_run(
                    steps, config, provider, continue_on_error, tracker, record, in_flight
                )
            else:
                await _dataverse(
                    steps, config, client, continue_on_error, tracker, record, in_flight
                )
            stopped = not continue_on_error and (report.failed > 0 or report.stale > 0)
    except asyncio.CancelledError:
        _uncancel()
        report.interrupted = True
        for change in changes:
            if id(change) not in recorded:
                sent = id(change) in in_flight
                record(
                    change,
                    "failed" if sent else "not_attempted",
                    IN_FLIGHT if sent else INTERRUPTED,
                )
    return report


def _uncancel() -> None:
    """Ctrl-C is handled here, once: the task carries on to report instead of dying."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()


PROVIDER_CONCURRENCY = 4
"""Provider steps of one run sent at once. They are independent (rows of one table, see
`_runs`) and each costs two round trips (read, then write), so one at a time made an apply of
1,000 Twilio numbers take minutes. Twilio publishes no concurrency limit and answers 429/20429
past it (providers.md §3), so this stays low, and retries back off as ever."""


async def _provider_run(
    changes: list[Change],
    config: Config,
    provider: ProviderSteps,
    continue_on_error: bool,
    tracker: _Tracker,
    record: Callable[[Change, Status, str], None],
    in_flight: set[int],
) -> None:
    """One run of provider steps, `PROVIDER_CONCURRENCY` at a time, each journaled as its
    answer arrives. Without continue-on-error, a failure stops the sending: the steps not yet
    sent are not attempted (the ones in flight finish and are journaled)."""
    gate = asyncio.Semaphore(PROVIDER_CONCURRENCY)
    failed = False

    async def one(change: Change) -> None:
        nonlocal failed
        async with gate:
            if failed and not continue_on_error:
                record(change, "not_attempted", AFTER_FAILURE)
                return
            in_flight.add(id(change))
            tracker.sending([change])
            status, detail = await provider.write(change, config)
            record(change, status, detail)
            tracker.answered(change)
            in_flight.discard(id(change))
            failed = failed or status in ("failed", "stale")

    await asyncio.gather(*(one(change) for change in changes))


def _runs(changes: list[Change], provider: ProviderSteps | None) -> list[tuple[list[Change], bool]]:
    """The steps cut into runs, in order: Dataverse steps, and provider steps of one table.

    A provider run is sent `PROVIDER_CONCURRENCY` at a time, so it holds only steps that cannot
    need each other: rows of one table (numbers; Event Grid topics; their subscriptions). A
    step that needs another is of a table ordered before it (a subscription after its topic),
    so it is in a later run and goes only once that run has been answered."""
    runs: list[tuple[list[Change], bool]] = []
    last: tuple[bool, str | None] | None = None
    for change in changes:
        mine = provider is not None and provider.owns(change)
        key = (mine, change.table if mine else None)
        if key == last:
            runs[-1][0].append(change)
        else:
            runs.append(([change], mine))
        last = key
    return runs


async def _dataverse(
    changes: list[Change],
    config: Config,
    client: DataverseClient,
    continue_on_error: bool,
    tracker: _Tracker,
    record: Callable[[Change, Status, str], None],
    in_flight: set[int],
) -> None:
    """One run of Dataverse steps; each write that succeeds is recorded as its `$batch`
    answer arrives, the others once the ambiguous ones have been read back. `in_flight`
    holds the ids of the changes whose request is out, for an interruption to name."""
    ops = [operation(c, secrets_for(c, config)) for c in changes]
    writer = _Writer(
        client,
        changes,
        ops,
        continue_on_error=continue_on_error,
        tracker=tracker,
        done=lambda index: record(changes[index], "done", ""),
    )
    writer.in_flight = in_flight
    results = await writer.run()
    unsettled = [
        (c, r)
        for i, (c, r) in enumerate(zip(changes, results, strict=True))
        if not r.ok and i not in writer.skipped
    ]
    settled = await _settle(client, unsettled, changes) if unsettled else set()
    for index, (change, result) in enumerate(zip(changes, results, strict=True)):
        if result.ok:
            continue  # recorded when its answer came
        skipped = writer.skipped.get(index)
        record(
            change, *(("not_attempted", skipped) if skipped else _status(change, result, settled))
        )


class _Writer:
    """Sends the writes: one `$batch` request per chunk of the client's size while all goes
    well, so a healthy apply costs no more round trips than its chunks.

    Those requests ask the service to stop at the first failure, so nothing after it is sent
    before apply knows what failed. Without `continue_on_error` that is the end: the rest is
    not attempted. With it, the rest goes in dependency waves (`dependencies.waves`), each
    request asking the service to continue on error: a step whose prerequisite failed (or was
    itself skipped) is never sent and is journaled not attempted, naming what it needed, while
    independent steps go on. That costs at most one request per wave (and chunk) after a
    failure. A request without any answer (any, all or none of its writes may be in place:
    they are read back later) stops everything, as later rows may depend on it.
    """

    def __init__(
        self,
        client: DataverseClient,
        changes: list[Change],
        ops: list[Operation],
        *,
        continue_on_error: bool,
        tracker: _Tracker,
        done: Callable[[int], None],
    ) -> None:
        self.client = client
        self.changes = changes
        self.ops = ops
        self.continue_on_error = continue_on_error
        self.tracker = tracker
        self.done = done
        """Told of each step whose write succeeded, as its answer arrives (the journal)."""
        self.in_flight: set[int] = set()
        """Ids of the changes in the request awaiting its answer."""
        self.results: list[OperationResult | None] = [None] * len(ops)
        self.skipped: dict[int, str] = {}
        """Steps not sent because a step they need failed: the journal's reason for each."""
        self.lost = False

    async def run(self) -> list[OperationResult]:
        unsent = await self._send(list(range(len(self.ops))), keep_going=False)
        if unsent and self.continue_on_error and not self.lost:
            graph = prerequisites(self.changes)
            for wave in waves(unsent, graph):
                ready = [i for i in wave if not self._skip(i, graph[i])]
                await self._send(ready, keep_going=True)
                if self.lost:
                    break
        missing = [i for i, r in enumerate(self.results) if r is None]
        for i, result in zip(
            missing, batches.not_executed([self.ops[i] for i in missing]), strict=True
        ):
            self.results[i] = result
        return [r for r in self.results if r is not None]

    async def _send(self, indexes: list[int], *, keep_going: bool) -> list[int]:
        """Send these steps (the client splits them into `$batch` requests); return the ones
        the service did not run, in order. Without `keep_going`, the requests after a failure
        are not sent (not run either). Progress is reported per write as each request is
        answered, and as each request goes."""
        heard: list[OperationResult] = []

        def out(start: int) -> None:
            self.in_flight.clear()
            chunk = [self.changes[i] for i in indexes[start : start + self.client.batch_size]]
            self.in_flight.update(id(c) for c in chunk)
            self.tracker.sending(chunk)

        def answered(results: list[OperationResult]) -> None:
            start = len(heard)
            heard.extend(results)
            for index, result in zip(indexes[start:], results, strict=False):
                if result.ok:
                    self.results[index] = result
                    self.done(index)
                if not isinstance(result.error, NotExecuted):
                    self.tracker.answered(self.changes[index])
            out(len(heard))

        ops = [self.ops[i] for i in indexes]
        out(0)
        try:
            await self.client.batch(ops, continue_on_error=keep_going, on_chunk=answered)
        except DataverseError:  # a request without an answer: heard as failed, the rest unsent
            self.lost = True
        self.in_flight.clear()  # (not on Ctrl-C: the interruption names what was out)
        unsent: list[int] = []
        for index, result in zip(indexes, heard, strict=False):  # after a loss: what was heard
            if isinstance(result.error, NotExecuted):
                unsent.append(index)
            else:
                self.results[index] = result
        return [] if self.lost else unsent

    def _skip(self, index: int, needs: list[int]) -> bool:
        """Record `index` as not attempted if a step it needs is not in place; say why."""
        for need in needs:
            if need in self.skipped:
                why = "was not attempted"
            else:
                result = self.results[need]
                if result is not None and (
                    result.ok or _already_done(self.changes[need], result.error)
                ):
                    continue
                why = "was not attempted"
                if result is not None:
                    stale = _status(self.changes[need], result, set())[0] == "stale"
                    why = "is stale" if stale else "failed"
            self.skipped[index] = f"not attempted: it needs {self.changes[need].label}, which {why}"
            return True
        return False


def _status(change: Change, result: OperationResult, settled: set[int]) -> tuple[Any, str]:
    if result.ok or id(result) in settled:
        return "done", "" if result.ok else "already in place (an earlier attempt wrote it)"
    error = result.error
    if isinstance(error, NotExecuted):
        return "not_attempted", str(error)
    if isinstance(error, PreconditionFailed) and change.action in ("update", "delete"):
        return "stale", "changed in the organisation since the plan (ETag mismatch)"
    if result.status is None:
        return "failed", f"no answer, and not confirmed in place afterwards ({error})"
    return "failed", str(error)


async def _settle(
    client: DataverseClient,
    failed: list[tuple[Change, OperationResult]],
    changes: Sequence[Change] = (),
) -> set[int]:
    """Failed writes whose result is nevertheless in place (a lost response, then a retry).

    A replayed `$batch` answers for its second attempt only: what the first one committed shows
    up as "already exists", and everything after that as not executed. So every write without
    an answer of its own, and every link, is read back before it is called failed or not
    attempted. The read-backs run concurrently (the client bounds how many at once).

    A secret cannot be read back, but its fingerprint entry can: the entry is written after
    the account (its parent) and only once the account's write succeeded, so an entry that
    holds the fingerprint this plan writes vouches that the new secret is in place.
    """
    witnesses = {(c.table, normalise(c.key)): c for c in changes}

    def witness(change: Change) -> Change | None:
        if not change.secret_columns:
            return None
        return witnesses.get((FINGERPRINT_TABLE, normalise((*change.key, FINGERPRINT_KEY))))

    async def in_place(change: Change, result: OperationResult) -> bool:
        error = result.error
        ambiguous = (
            result.status is None
            or change.action in ("associate", "disassociate")
            or (change.action == "update" and isinstance(error, PreconditionFailed))
        )
        if _already_done(change, error):
            return True
        if not ambiguous:
            return False
        entry = witness(change)
        vouched = entry is not None and await _holds(client, entry)
        return await _holds(client, change, vouched=vouched)

    verdicts = await asyncio.gather(*(in_place(c, r) for c, r in failed))
    return {id(result) for (_, result), ok in zip(failed, verdicts, strict=True) if ok}


def _already_done(change: Change, error: Exception | None) -> bool:
    """A delete that finds nothing, a create-only upsert that finds its row, an associate that
    finds the link (the service refuses a duplicate N:N link as a duplicate record): all in
    place."""
    if change.action == "delete":
        return isinstance(error, NotFound)
    return change.action in ("create", "associate") and isinstance(error, DuplicateRecord)


async def _holds(client: DataverseClient, change: Change, vouched: bool = False) -> bool:
    """Does the organisation already hold what the change writes? (False when unprovable.)
    `vouched`: the secrets it writes are known to be in place (their fingerprint entry)."""
    table = TABLES[change.table]
    expand = None
    if change.relationship and change.target_table:
        expand = [f"{change.relationship}($select={TABLES[change.target_table].primary_key})"]
    try:  # an uncached answer: a collection-valued $expand may come from a cache otherwise
        fresh = "null" if expand else None
        row = await client.get(table.entity_set, change.id, expand=expand, if_none_match=fresh)
    except NotFound:
        return change.action == "delete"
    except DataverseError:
        return False
    if row is None or change.action == "delete":
        return False
    if expand and change.target_table:
        key = TABLES[change.target_table].primary_key
        linked = {str(r.get(key, "")).lower() for r in row.get(change.relationship or "") or []}
        return (str(change.target_id).lower() in linked) == (change.action == "associate")
    for column in change.columns:
        if column.sensitive:
            if change.action == "create" or vouched:
                continue  # written with the row that now exists, or vouched for
            return False  # cannot be read back: not provable, so not settled
        spec = table.column(column.column)
        if spec is None:
            return False
        if not same(column.after, row.get(spec.read_name), spec.type, None):
            return False
    return True
