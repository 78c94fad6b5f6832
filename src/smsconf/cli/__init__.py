"""The `smsconf` command line: thin click commands over the library.

Each command group lives in its own module and registers itself on `main`; this module only
assembles them so that `smsconf --help` lists every command and the exit-code contract.
"""

from smsconf.cli import (  # noqa: F401  (each module registers its commands)
    ci,
    emulator,
    export,
    reconcile,
    schema,
    telesign,
    validate,
)
from smsconf.cli.main import main

__all__ = ["main"]
