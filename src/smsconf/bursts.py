"""What the steps that allocate in bursts receive: the context to run each burst in.

Loading a configuration, mapping and diffing it, and rendering a text plan each allocate
hundreds of thousands of objects at once. How a process treats such a burst (the executable
pauses the cyclic collector and freezes what is left, see `smsconf.process.burst`) is the
process's policy, decided in one place; those steps only say where their bursts are, by
running them inside the `Burst` they are given. The default, `contextlib.nullcontext`, does
nothing: a library caller, a test or a server keeps the collector as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

Burst = Callable[[], AbstractContextManager[object]]
"""Called once per burst; the burst runs inside the context manager it returns."""
