"""How the `smsconf` executable sets up the process of its one command.

A command runs for seconds and exits. What suits a long-lived process (a test run, a server,
a program that imports smsconf) costs start-up time here, on every pre-commit hook and CI step.
"""

from __future__ import annotations

import os

from smsconf.gcpause import short_lived_process


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
