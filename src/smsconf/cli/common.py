"""What every command shares: turning library outcomes into messages and exit codes.

Known failures (bad configuration, unreadable secrets) become their documented exit code with a
located message; anything else is exit 1 with one line, and the traceback only with --debug.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from smsconf.config import ConfigError, SecretError
from smsconf.config.loader import Loaded
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.plan import PlanFileError

F = TypeVar("F", bound=Callable[..., Any])

paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
env_option = click.option(
    "--env",
    "env",
    default=lambda: os.environ.get("SMSCONF_ENV"),
    help="Environment to use (default: $SMSCONF_ENV, else 'local' when declared).",
)


def handle_errors(func: F) -> F:
    """Map exceptions to exit codes so no command ever prints a traceback by default."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(ExitCode.INVALID_CONFIG)
        except SecretError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(ExitCode.INVALID_CONFIG)
        except PlanFileError as exc:
            click.echo(f"error: plan file {exc}; nothing written", err=True)
            sys.exit(ExitCode.PLAN_FILE_INVALID)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # the contract: exit 1, one line, no traceback
            if os.environ.get("SMSCONF_DEBUG"):
                raise
            click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(ExitCode.ERROR)

    return wrapper  # type: ignore[return-value]


def target_of(loaded: Loaded, override: str | None) -> str:
    """`--target`, else the chosen environment's target, else the local organisation.

    `smsconf.target` is imported here, not at the top, because it brings httpx and the
    Dataverse client, which `validate` never needs (a tenth of its run at 1,000 workstreams).
    """
    from smsconf.target import LOCAL

    if override:
        return override
    env = loaded.config.environments.get(loaded.environment or "")
    return env.target if env else LOCAL
