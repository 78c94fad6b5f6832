"""The `smsconf` command line: thin click commands over the library.

Each command group lives in its own module and registers itself on `main` when `main` first
needs it (see `smsconf.cli.main.LazyGroup`).
"""

from smsconf.cli.main import main, run

__all__ = ["main", "run"]
