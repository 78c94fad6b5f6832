"""What every command shares: turning library outcomes into messages and exit codes.

Known failures (bad configuration, unreadable secrets, untrusted hosts) become their documented
exit code with a located message; anything else is exit 1 with one line, and the traceback only
with --debug. Everything a command writes to stdout and stderr, and every log record, passes
through the redactor, which knows every secret the command has read.
"""

from __future__ import annotations

import difflib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from smsconf import hosts, redact
from smsconf.config import ConfigError, SecretError
from smsconf.config.loader import Loaded
from smsconf.exitcodes import ExitCode
from smsconf.reconcile.plan import PlanFileError, UnknownAddress

F = TypeVar("F", bound=Callable[..., Any])


class ExistingPath(click.ParamType):
    """A configuration path that must exist: a typo is a usage error with the closest names
    beside it, not an "invalid configuration" reported at `PATH:1:1`."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        path = Path(value)
        if path.exists():
            return str(value)
        parent = path.parent if str(path.parent) else Path(".")
        siblings = sorted(p.name for p in parent.iterdir()) if parent.is_dir() else []
        close = difflib.get_close_matches(path.name, siblings, n=3)
        named = " or ".join(repr(str(parent / c)) for c in close)
        hint = f" Did you mean {named}?" if close else ""
        self.fail(f"{str(value)!r} does not exist.{hint}", param, ctx)


paths_argument = click.argument("paths", nargs=-1, required=True, type=ExistingPath())
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
    except PlanFileError as exc:
        click.echo(f"error: plan file {exc}; nothing written", err=True)
        sys.exit(ExitCode.PLAN_FILE_INVALID)
    except KeyboardInterrupt:  # apply's writes handle their own (journal, summary, exit 7)
        click.echo("\ninterrupted (Ctrl-C); nothing was written", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except UnknownAddress as exc:  # a usage error: never 0 or 2, and no plan is shown
        click.echo(f"Error: {exc}", err=True)
        sys.exit(ExitCode.USAGE)
    except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
        raise
    except Exception as exc:  # the contract: exit 1, one line, no traceback
        if os.environ.get("SMSCONF_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(ExitCode.ERROR)


def colour_wanted(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR (no-color.org) or `--no-color` says so
    (the flag sets NO_COLOR, so rich's own consoles obey it too)."""
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR")


def organisation_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """`--target`'s check: a URL that is not an organisation's is a usage error, and a Web API
    root (`…/api/data/v9.2/`, as `emulator serve` prints it) stands for its organisation."""
    from smsconf.dataverse.client import organisation_url

    try:
        return value if value in (None, "local") else organisation_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def show_retries_on_terminal() -> None:
    """On a terminal, the clients' retry warnings are printed as they happen, so a slow run
    says why it is slow; piped runs (CI logs, files) stay as they were."""
    import logging

    if not sys.stderr.isatty():
        return
    logger = logging.getLogger("smsconf")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("smsconf: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


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
