"""Telesign client: signed requests, credential checks, sender-number checks, test messages.

Independent of the configuration model: callers build a `TelesignAccount` and get plain values
back. Nothing here ever prints, logs or raises with the API key.
"""

from smsconf.telesign.account import (
    ENTERPRISE_ENDPOINT,
    STANDARD_ENDPOINT,
    AuthMethod,
    TelesignAccount,
)
from smsconf.telesign.client import RetryPolicy, TelesignClient, TelesignResponse
from smsconf.telesign.credentials import (
    CredentialChecker,
    CredentialResult,
    CredentialStatus,
    check_all,
    check_credentials,
)
from smsconf.telesign.errors import (
    TelesignError,
    TelesignRejected,
    TelesignTimeout,
    TelesignUnreachable,
)
from smsconf.telesign.numbers import (
    NumberCheck,
    NumberKind,
    NumberVerdict,
    SenderNumber,
    lookup_sender_numbers,
)
from smsconf.telesign.secret import ApiKey
from smsconf.telesign.test_message import StatusUpdate, TestSmsResult, send_test_sms

__all__ = [
    "ENTERPRISE_ENDPOINT",
    "STANDARD_ENDPOINT",
    "ApiKey",
    "AuthMethod",
    "CredentialChecker",
    "CredentialResult",
    "CredentialStatus",
    "NumberCheck",
    "NumberKind",
    "NumberVerdict",
    "RetryPolicy",
    "SenderNumber",
    "StatusUpdate",
    "TelesignAccount",
    "TelesignClient",
    "TelesignError",
    "TelesignRejected",
    "TelesignResponse",
    "TelesignTimeout",
    "TelesignUnreachable",
    "TestSmsResult",
    "check_all",
    "check_credentials",
    "lookup_sender_numbers",
    "send_test_sms",
]
