"""Switchable, seeded failure modes: throttling (429), outages (503) and slow answers.

Rates are drawn from a seeded generator so a run with the same seed fails the same requests;
`*_next` counters fail exactly the next N requests, for tests that need no randomness at all.
"""

import random
from dataclasses import dataclass, fields
from typing import Literal

Fault = Literal["outage", "throttle"]


@dataclass
class Faults:
    throttle: float = 0.0
    outage: float = 0.0
    throttle_next: int = 0
    outage_next: int = 0
    delay: float = 0.0


def parse_faults(spec: str) -> Faults:
    """`"throttle=0.2,outage_next=1,delay=0.5"` -> Faults; an empty spec means none."""
    faults = Faults()
    types = {field.name: field.type for field in fields(Faults)}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, value = item.partition("=")
        if not sep or name not in types:
            raise ValueError(
                f"unknown fault {item!r}; expected NAME=VALUE with NAME in {', '.join(types)}"
            )
        setattr(faults, name, int(value) if types[name] is int else float(value))
    return faults


class FaultInjector:
    """Decides, per request and per stage, whether this request fails."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._random = random.Random(seed)

    def draw(self, fault: Fault) -> bool:
        counter = f"{fault}_next"
        if getattr(self.faults, counter) > 0:
            setattr(self.faults, counter, getattr(self.faults, counter) - 1)
            return True
        rate: float = getattr(self.faults, fault)
        return rate > 0 and self._random.random() < rate
