"""An emulated Telesign REST API (ASGI) for tests and the local organisation.

It imports only the standard-library signing helpers of `smsconf.telesign`, never the client.
"""

from smsconf.emulator.telesign.accounts import (
    DEMO_ACCOUNTS,
    AccountsFileError,
    EmulatedAccount,
    EmulatedNumber,
    EmulatorSetup,
    Handset,
    load_setup,
)
from smsconf.emulator.telesign.app import TelesignEmulator, create_app
from smsconf.emulator.telesign.faults import Faults, parse_faults

__all__ = [
    "DEMO_ACCOUNTS",
    "AccountsFileError",
    "EmulatedAccount",
    "EmulatedNumber",
    "EmulatorSetup",
    "Faults",
    "Handset",
    "TelesignEmulator",
    "create_app",
    "load_setup",
    "parse_faults",
]
