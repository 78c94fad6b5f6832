"""`--only ADDRESS`: a plan cut down to the changes named and what they need (Terraform's
`-target`).

An address is one the plan prints (`queue[SMS Support VIP]`). The targeted plan keeps each
change with that address, the deletes that follow from it (`cascade_of`), and every change
those need to succeed (the creates their bodies name, the deletes that must go first:
`dependencies.prerequisites`), transitively; each change kept only as a dependency is said so
in a note, and the number left out is said too, since a targeted plan is by definition not
the whole picture. An address naming no change of the full plan is a usage error with the
closest address beside it: a misspelt target must never quietly plan nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from smsconf.config.problems import did_you_mean
from smsconf.reconcile.dependencies import prerequisites
from smsconf.reconcile.plan import Change, Note, UnknownAddress

SUBJECT = "--only"


def targeted(changes: Sequence[Change], only: Sequence[str]) -> tuple[list[Change], list[Note]]:
    """The changes (in apply order) `only` keeps, and the notes saying what was added or left
    out; `UnknownAddress` for an address that names no change."""
    addresses = {c.address for c in changes}
    unknown = [a for a in only if a not in addresses]
    if unknown:
        raise UnknownAddress("\n".join(_unknown(a, addresses) for a in unknown))
    named = set(only)
    kept = {i for i, c in enumerate(changes) if c.address in named or c.cascade_of in named}
    graph = prerequisites(changes)
    needed: dict[int, int] = {}  # a dependency kept → the kept change that first needed it
    pending = sorted(kept)
    while pending:
        index = pending.pop()
        for need in graph[index]:
            if need not in kept and need not in needed:
                needed[need] = index
                pending.append(need)
    chosen = sorted(kept | set(needed))
    notes = [
        Note(
            "fact",
            SUBJECT,
            f"{changes[i].label} is included: {changes[needed[i]].label} needs it",
        )
        for i in sorted(needed)
    ]
    left_out = len(changes) - len(chosen)
    if left_out:
        notes.append(
            Note(
                "warning",
                SUBJECT,
                f"a targeted plan ({', '.join(only)}): {left_out} other change(s) of the "
                "configuration are left out; plan without --only to see them",
            )
        )
    return [changes[i] for i in chosen], notes


def _unknown(address: str, addresses: set[str]) -> str:
    hint = did_you_mean(address, sorted(addresses))
    return f"--only {address}: no change in this plan has that address" + (
        f"; {hint}" if hint else ""
    )
