"""How the `smsconf` executable sets up the process of its one command, and the one place the
process's policy for allocation bursts lives.

A command runs for seconds and exits. What suits a long-lived process (a test run, a server,
a program that imports smsconf) costs start-up time here, on every pre-commit hook and CI step.
The steps that allocate in bursts (loading, mapping and diffing, rendering the text plan) know
nothing of the collector: the commands hand them `burst` (a `smsconf.bursts.Burst`).
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager

from smsconf.gcpause import gc_paused, short_lived_process


def one_command() -> None:
    """Set this process up to run one command and exit.

    - Allocation bursts are frozen rather than collected when they end (`short_lived_process`).
    - No pydantic plugins: at its first model pydantic searches the entry points of every
      installed distribution for them (~40 ms a command here, more in a large environment),
      and smsconf uses none. A user who sets `PYDANTIC_DISABLE_PLUGINS` (even to nothing,
      which turns the search back on) keeps their setting.
    """
    short_lived_process()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def long_lived() -> None:
    """Say this process lives on (a server started from the executable): bursts are still
    run with the collector paused, but what they leave alive is not frozen."""
    short_lived_process(False)


def burst() -> AbstractContextManager[None]:
    """The context a command runs each allocation burst in: the cyclic collector paused (it
    would walk everything alive and find nothing to collect), and, in a process set up by
    `one_command`, what the burst left alive frozen when it ends (`smsconf.gcpause`)."""
    return gc_paused()
