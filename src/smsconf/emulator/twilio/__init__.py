"""An emulated Twilio REST API (ASGI) for tests and the local organisation.

It imports only the standard-library signature helper of `smsconf.twilio`, never the client.
"""

from smsconf.emulator.twilio.app import TwilioEmulator, create_app, effective_webhook
from smsconf.emulator.twilio.state import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    Account,
    MessagingService,
    Number,
    State,
    account,
    demo_accounts,
)

__all__ = [
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "Account",
    "MessagingService",
    "Number",
    "State",
    "TwilioEmulator",
    "account",
    "create_app",
    "demo_accounts",
    "effective_webhook",
]
