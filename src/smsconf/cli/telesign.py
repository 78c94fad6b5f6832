"""Telesign commands: `check-credentials`, `test-sms`."""

from smsconf.cli.main import main  # noqa: F401
