"""`smsconf emulator ...`: serve the local Dataverse and Telesign emulators over HTTP."""

import click

from smsconf.cli.main import main


@main.group()
def emulator() -> None:
    """Run the local organisation's emulators as real HTTP servers."""
