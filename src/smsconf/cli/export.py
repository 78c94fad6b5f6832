"""`smsconf export`: the live organisation as configuration files."""

from smsconf.cli.main import main  # noqa: F401
