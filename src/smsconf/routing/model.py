"""One workstream's routing as the evaluator reads it, whatever it was read from.

Built from the configuration (`sources.from_config`) or from a live organisation's rows and
ruleset XML (`sources.from_live`): the evaluator only ever sees this, so both answer alike.
Queues are named by their configuration name (a live queue by its `name` column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from smsconf.config.model import Condition, Scalar

Path_ = tuple[str | int, ...]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order


@dataclass(frozen=True)
class Hours:
    """An operating-hours record. `known` is False for a record only looked up by name: its
    schedule lives in the organisation, so whether it is open cannot be said here."""

    name: str
    known: bool = True
    all_days: bool = False
    days: frozenset[str] = frozenset()
    start: str | None = None
    end: str | None = None

    def open_at(self, at: datetime) -> bool | None:
        if not self.known:
            return None
        if self.all_days:
            return True
        if WEEKDAYS[at.weekday()] not in self.days or not self.start or not self.end:
            return False
        return self.start <= at.strftime("%H:%M") < self.end

    def next_open(self, at: datetime) -> datetime | None:
        """The first moment at or after `at` when these hours are open (None: never, unknown)."""
        if self.open_at(at) is not False:
            return at if self.known else None
        if not self.start:
            return None
        opening = time.fromisoformat(self.start)
        for ahead in range(8):
            day = at.date() + timedelta(days=ahead)
            moment = datetime.combine(day, opening, at.tzinfo)
            if WEEKDAYS[day.weekday()] in self.days and moment > at:
                return moment
        return None

    def describe(self) -> str:
        if not self.known:
            return f"'{self.name}' (schedule kept in the organisation)"
        if self.all_days:
            return f"'{self.name}' (all day, every day)"
        days = ",".join(d for d in WEEKDAYS if d in self.days) or "no days"
        return f"'{self.name}' ({days} {self.start}-{self.end})"


@dataclass(frozen=True)
class Rule:
    """A classification rule (`sets`) or a route-to-queue rule (`queue` or `split`)."""

    name: str
    when: tuple[Condition, ...] = ()
    sets: tuple[tuple[str, Scalar], ...] = ()
    queue: str | None = None
    split: tuple[tuple[str, int], ...] | None = None
    path: Path_ | None = None

    @property
    def queues(self) -> tuple[str, ...]:
        if self.queue is not None:
            return (self.queue,)
        return tuple(q for q, _ in self.split or ())


@dataclass(frozen=True)
class Ruleset:
    name: str
    rules: tuple[Rule, ...]
    path: Path_ | None = None


@dataclass(frozen=True)
class WorkstreamRouting:
    name: str
    number: str | None = None
    provider: str | None = None
    channel_hours: Hours | None = None
    outside_hours_message: bool = False
    fallback: str | None = None
    classification: tuple[Ruleset, ...] = ()
    route_to_queue: tuple[Rule, ...] = ()
    queue_hours: dict[str, Hours | None] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    path: Path_ | None = None
