"""Route one conversation: find the workstream its number reaches, then evaluate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from smsconf.config.problems import did_you_mean
from smsconf.routing.evaluate import Outcome, conversation, evaluate
from smsconf.routing.explain import digits
from smsconf.routing.model import WorkstreamRouting


class RouteError(ValueError):
    """The inputs name no workstream (or another impossible route); says what would."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def find(routings: Sequence[WorkstreamRouting], number: str) -> WorkstreamRouting:
    wanted = digits(number)
    for routing in routings:
        if routing.number is not None and digits(routing.number) == wanted:
            return routing
    numbers = [r.number for r in routings if r.number]
    raise RouteError(
        f"no workstream's SMS channel uses number {wanted}",
        did_you_mean(wanted, numbers)
        or ("numbers in use: " + ", ".join(numbers) if numbers else "no SMS channel is declared"),
    )


def route(
    routings: Sequence[WorkstreamRouting],
    to: str,
    at: datetime,
    sender: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> Outcome:
    routing = find(routings, to)
    attributes = conversation(routing, at, digits(sender) if sender else None, values)
    return evaluate(routing, attributes, at)
