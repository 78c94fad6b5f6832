"""Which steps of a plan need which earlier steps, so a failure stops only its dependents.

`apply --continue-on-error` promises that independent objects go on after a failure while the
ones that depend on it stop (journaled "not attempted", never sent to fail on their own). The
plan's order already puts parents first; this module says precisely which earlier steps each
step needs, from the plan's own data so a saved plan works the same:

- a create or update needs the creates of the rows its body mentions: `@odata.bind` lookups,
  plain id columns (an automated message names its channel in `msdyn_instanceid`) and ids
  inside documents (a routing ruleset's XML names its queues);
- an association needs the creates of both of its rows;
- a secret's fingerprint entry needs the write of the secret itself: the entry is the only
  proof a secret is in place (plan compares it; apply settles a lost answer by it), so it must
  never be written when the secret was not;
- a delete needs the earlier deletes that follow from the same removal at a deeper level (a
  workstream's delete waits for its channel's, which waits for its messages'): deleting the
  parent anyway would cascade over a child whose own delete was refused, e.g. one an admin
  edited since the plan; and it needs the updates that move a lookup off the row it deletes.

Ids are compared as GUIDs (lower case, no braces); a step never depends on a later one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from smsconf.mapping.ids import normalise
from smsconf.mapping.keys import guid_of
from smsconf.mapping.routing_xml import GUID
from smsconf.mapping.tables import FINGERPRINT_KEY
from smsconf.reconcile.diff import RANK
from smsconf.reconcile.plan import Change

Graph = list[list[int]]
"""For each step (by position in apply order), the positions of the earlier steps it needs."""


def prerequisites(changes: Sequence[Change]) -> Graph:
    """The dependency graph of `changes`, which are in apply (step) order."""
    created: dict[str, int] = {}
    deletes: dict[str, list[int]] = defaultdict(list)  # removal → its deletes so far
    unlinked: dict[str, list[int]] = defaultdict(list)  # row id → updates moving lookups off it
    secrets: dict[tuple[str, ...], int] = {}  # account key → the step writing its secret
    graph: Graph = []
    for index, change in enumerate(changes):
        needs: set[int] = set()
        if change.secret_columns:
            secrets[normalise(change.key)] = index
        secret = (
            secrets.get(normalise(change.key[:-1]))
            if change.key[-1:] == (FINGERPRINT_KEY,)
            else None
        )
        if secret is not None:
            needs.add(secret)
        if change.action == "delete":
            group = change.cascade_of or change.address
            rank = RANK.get(change.table, 0)
            needs.update(j for j in deletes[group] if RANK.get(changes[j].table, 0) > rank)
            needs.update(unlinked.get(_id(change.id), ()))
            deletes[group].append(index)
        else:
            needs.update(created[i] for i in _mentioned(change) if i in created)
        graph.append(sorted(needs))
        if change.action == "create":
            created[_id(change.id)] = index
        elif change.action == "update":
            for row_id in _unlinked(change):
                unlinked[row_id].append(index)
    return graph


def waves(pending: Sequence[int], graph: Graph) -> list[list[int]]:
    """`pending` steps grouped so each group needs only earlier groups (or steps not pending):
    the steps of one group can be sent together, and a failure known before the next group."""
    depth: dict[int, int] = {}
    for index in sorted(pending):
        depth[index] = 1 + max((depth[j] for j in graph[index] if j in depth), default=-1)
    grouped: dict[int, list[int]] = defaultdict(list)
    for index, level in depth.items():
        grouped[level].append(index)
    return [grouped[level] for level in sorted(grouped)]


def _id(value: str) -> str:
    return guid_of(value) or value.lower()


def _mentioned(change: Change) -> Iterator[str]:
    """Every row id the change's request names (its own row excluded)."""
    if change.target_id:
        yield _id(change.id)
        yield _id(change.target_id)
    own = _id(change.id)
    for value in _strings(change.body):
        for match in GUID.finditer(value):
            if match[1].lower() != own:
                yield match[1].lower()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _unlinked(change: Change) -> Iterator[str]:
    """Rows an update's lookups pointed at before it (a later delete of one must wait)."""
    for column in change.columns:
        before = column.before
        if isinstance(before, str) and GUID.fullmatch(before) and before != column.after:
            yield _id(before)
