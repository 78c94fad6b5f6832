"""What every command shares: turning library outcomes into messages and exit codes.

Known failures (bad configuration, unreadable secrets, untrusted hosts) become their documented
exit code with a located message; anything else is exit 1 with one line, and the traceback only
with --debug. Everything a command writes to stdout and stderr, and every log record, passes
through the redactor, which knows every secret the command has read.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from smsconf import hosts, redact
from smsconf.config import ConfigError, SecretError
from smsconf.config.loader import Loaded
from smsconf.exitcodes import ExitCode

F = TypeVar("F", bound=Callable[..., Any])

paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
env_option = click.option(
    "--env",
    "env",
    default=lambda: os.environ.get("SMSCONF_ENV"),
    help="Environment to use (default: $SMSCONF_ENV, else 'local' when declared).",
)


allow_host_option = click.option(
    hosts.FLAG,
    multiple=True,
    metavar="HOST:PORT",
    expose_value=False,
    callback=lambda ctx, param, value: hosts.allow(value),
    help="Also trust this host (an emulator, a proxy), like $SMSCONF_ALLOW_HOSTS; repeatable. "
    "Only documented provider and Dynamics 365 hosts are trusted otherwise, and a "
    "configuration can never allow one.",
)


@contextmanager
def _redacted_output() -> Iterator[None]:
    """stdout and stderr through the redactor while the command runs (click, rich and print
    all write to whatever `sys.stdout` is when they write)."""
    redact.forget_all()
    redact.redact_logging()
    out, err = sys.stdout, sys.stderr
    sys.stdout = redact.RedactingStream(out)  # type: ignore[assignment]
    sys.stderr = redact.RedactingStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
        hosts.allow(())


def handle_errors(func: F) -> F:
    """Map exceptions to exit codes so no command ever prints a traceback by default."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _redacted_output():
            return _mapped(func, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _mapped(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except hosts.UntrustedHost as exc:
        click.echo(str(exc), err=True)
        sys.exit(ExitCode.UNTRUSTED_HOST)
    except ConfigError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(ExitCode.INVALID_CONFIG)
    except SecretError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(ExitCode.INVALID_CONFIG)
    except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
        raise
    except Exception as exc:  # the contract: exit 1, one line, no traceback
        if os.environ.get("SMSCONF_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(ExitCode.ERROR)


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
