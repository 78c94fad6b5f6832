"""A file of route cases: inputs and the expected queue, so routing is tested in CI.

```yaml
cases:
  - name: Gold customer on a Saturday evening
    to: "14255550100"          # the number texted: selects the workstream
    from: "33612345678"        # the sender (sms.msdyn_customerphonenumber)
    at: "2026-12-05T19:00"
    set: {account.msdyn_tier: Gold}
    expect:
      queue: VIP               # or split: [{queue: A, percent: 80}, ...], or fallback: true
      channel_open: false      # optional
      set: {context.Tier: Gold}   # optional: values after classification
```

A malformed file is reported like a configuration (file:line:col, all problems at once); a
case whose route differs from its expectation fails with the whole explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from smsconf.config.model import QueueShare, Scalar, Strict
from smsconf.config.problems import ConfigError, Problem
from smsconf.config.source import read_file
from smsconf.routing.evaluate import Outcome, output_attribute, typed
from smsconf.routing.explain import parse_at, text
from smsconf.routing.model import WorkstreamRouting
from smsconf.routing.route import RouteError, route


class Expect(Strict):
    queue: str | None = None
    split: list[QueueShare] | None = None
    fallback: bool | None = None
    channel_open: bool | None = None
    set: dict[str, Scalar] = Field({}, description="attribute values after classification")


class Case(Strict):
    name: str = Field(min_length=1)
    to: str | int
    from_: str | int | None = Field(None, alias="from")
    at: str
    set: dict[str, Scalar] = Field({}, description="attributes of the conversation")
    expect: Expect


class CasesFile(Strict):
    cases: list[Case] = Field(min_length=1)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    outcome: Outcome | None
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def load(path: Path) -> CasesFile:
    """The cases of a file; raises ConfigError with every problem located."""
    document, problems = read_file(path, str(path))
    if document is None:
        raise ConfigError(problems)
    try:
        cases = CasesFile.model_validate(document.data)
    except ValidationError as exc:
        located = []
        for err in exc.errors():
            where = tuple(p for p in err["loc"] if isinstance(p, str | int))
            where = tuple("from" if p == "from_" else p for p in where)
            located.append(Problem(err["msg"], where, document.position(where)))
        raise ConfigError(located) from None
    bad = []
    for i, case in enumerate(cases.cases):
        try:
            parse_at(case.at)
        except ValueError:
            where = ("cases", i, "at")
            bad.append(
                Problem(
                    f"'{case.at}' is not an ISO 8601 time",
                    where,
                    document.position(where),
                    hint="write it like 2026-12-05T19:00",
                )
            )
    if bad:
        raise ConfigError(bad)
    return cases


def run(routings: Sequence[WorkstreamRouting], cases: CasesFile) -> list[CaseResult]:
    return [_run(routings, case) for case in cases.cases]


def _run(routings: Sequence[WorkstreamRouting], case: Case) -> CaseResult:
    try:
        outcome = route(
            routings,
            str(case.to),
            parse_at(case.at),
            str(case.from_) if case.from_ is not None else None,
            case.set,
        )
    except RouteError as exc:
        return CaseResult(case, None, (f"{exc}" + (f" ({exc.hint})" if exc.hint else ""),))
    return CaseResult(case, outcome, tuple(_compare(case.expect, outcome)))


def _compare(expect: Expect, outcome: Outcome) -> list[str]:
    failures = []
    if expect.queue is not None and (outcome.split is not None or outcome.queue != expect.queue):
        failures.append(f"expected queue {expect.queue}, routed to {outcome.target}")
    if expect.split is not None:
        wanted = tuple((s.queue, s.percent) for s in expect.split)
        if outcome.split != wanted:
            shares = " / ".join(f"{q} {p}%" for q, p in wanted)
            failures.append(f"expected split {shares}, routed to {outcome.target}")
    if expect.fallback is not None and expect.fallback != outcome.fallback:
        failures.append(
            f"expected {'the' if expect.fallback else 'no'} fallback, "
            f"{'got the fallback' if outcome.fallback else 'a rule matched'}"
        )
    if expect.channel_open is not None and expect.channel_open != outcome.channel_open:
        failures.append(
            f"expected the channel {'open' if expect.channel_open else 'closed'}, it is "
            f"{ {True: 'open', False: 'closed', None: 'unknown'}[outcome.channel_open] }"
        )
    for name, value in expect.set.items():
        actual = outcome.attributes.get(output_attribute(name))
        if actual is None or typed(actual) != typed(value):
            failures.append(f"expected {name} = {value!r} after classification, it is {actual!r}")
    return failures


def report(results: Sequence[CaseResult]) -> str:
    lines = []
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        target = result.outcome.target if result.outcome else "-"
        lines.append(f"{mark} {result.case.name}: {target}")
        if not result.passed:
            lines += [f"     {failure}" for failure in result.failures]
            if result.outcome is not None:
                lines += ["     " + line for line in text(result.outcome).splitlines()]
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} of {len(results)} case(s) passed")
    return "\n".join(lines)


def as_data(results: Sequence[CaseResult]) -> list[dict[str, Any]]:
    from smsconf.routing.explain import as_json

    return [
        {
            "case": r.case.name,
            "passed": r.passed,
            "failures": list(r.failures),
            "route": as_json(r.outcome) if r.outcome else None,
        }
        for r in results
    ]
