"""`smsconf schema`: print or write the configuration's JSON Schema."""

import click

from smsconf.cli.main import main
from smsconf.config.schema import json_schema_text


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def schema(out: str | None) -> None:
    """Print the JSON Schema of the configuration language (for editors and CI)."""
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(json_schema_text())
    else:
        click.echo(json_schema_text(), nl=False)
