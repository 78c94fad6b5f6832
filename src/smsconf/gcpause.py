"""Pausing Python's cyclic garbage collector around allocation bursts.

Loading a configuration, mapping it to rows, diffing them and rendering the plan each allocate
hundreds of thousands of objects and free almost none in between. Every burst of allocations
set off a full cyclic collection that walked everything alive (hundreds of MB at 1,000
workstreams) and found nothing to collect: ~40% of `validate` and about a fifth of a plan.
Reference counting still frees whatever is dropped; the collector resumes afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze_after = False


def short_lived_process(short: bool = True) -> None:
    """Say that this process runs one command and exits, as the CLI does (or, `short=False`,
    that it lives on: a server started from the CLI).

    What a burst leaves alive then goes to the collector's permanent generation when the pause
    ends. Otherwise all of it sits in the youngest generation, and the first allocation after
    the pause walks it all (0.1–0.2 s at 1,000 workstreams), and older generations walk it
    again later, finding nothing each time. Frozen objects are still freed by reference
    counting; only a cycle among them would outlive its use, which is harmless in a process
    that ends in seconds and is why a long-lived one (a test run, a server) does not do this.
    """
    global _freeze_after
    _freeze_after = short


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block (or, as a decorator, the function) with the cyclic collector off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _freeze_after:
                gc.freeze()
            gc.enable()
