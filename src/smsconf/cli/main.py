"""The root click group; command modules attach themselves to it."""

import click

from smsconf import __version__
from smsconf.exitcodes import EXIT_CODE_HELP


@click.group(help=f"Configuration-as-code for Dynamics 365 SMS channels.\n\n{EXIT_CODE_HELP}")
@click.version_option(__version__, prog_name="smsconf")
def main() -> None:
    """Root command group."""
