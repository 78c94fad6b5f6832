"""Telesign's Family A response bodies (telesign.md §4): `status.code` is what clients read."""

import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

DESCRIPTIONS: dict[int, str] = {
    # Authentication and account (401)
    10002: "'x-ts-nonce' header value has been used recently.",
    10003: "'x-ts-nonce' header value is too long or too short.",
    10004: "'Date' or 'x-ts-date' header is not within tolerable range.",
    10005: "'Date' or 'x-ts-date' header is not RFC822 compliant.",
    10006: "Invalid 'x-ts-auth-method' header.",
    10007: "Missing required 'Date' or 'x-ts-date' header.",
    10008: "Invalid Signature.",
    10009: "Missing required 'Authorization' header.",
    10010: "CustomerID Account Suspended.",
    10011: "This product is not enabled for this CustomerID.",
    10015: "Invalid Customer ID.",
    10022: "Invalid API Key.",
    10028: "'Authorization' header not in the correct format.",
    10035: "The requested API host is not allowed for this CustomerID.",
    # Requests (400, 404, 429, 503)
    10000: "System Unavailable, Please try again later.",
    10017: "Customer ID / Reference ID not found",
    10019: "Rate Limit Exceeded",
    3116: "Payload too large",
    10036: "Reference ID expired",
    11000: "Invalid value for parameter phone_number.",
    11009: "Invalid value for parameter message.",
    11011: "Invalid value for parameter reference_id.",
    11013: "Invalid value for parameter sender_id.",
    11017: "Invalid value for parameter message_type.",
    12000: "Missing Required Parameter phone_number.",
    12009: "Missing Required Parameter message.",
    12017: "Missing Required Parameter message_type.",
    # Message and PhoneID states
    200: "Delivered to handset",
    203: "Delivered to gateway",
    207: "Error delivering SMS to handset (reason unknown)",
    210: "Temporary phone error",
    211: "Permanent phone error",
    220: "Gateway/network cannot route message",
    221: "Message expired before delivery",
    222: "SMS not supported",
    230: "Message blocked by TeleSign",
    231: "Invalid/unsupported message content",
    250: "Final status unknown",
    251: "Message sent, no delivery report from handset",
    286: "Transaction not attempted",
    290: "Message in progress",
    291: "Queued by TeleSign",
    292: "Queued by gateway",
    295: "Status delayed",
    300: "Transaction successfully completed",
    502: "Campaign error",
    503: "Carrier rejected - temporary problem",
    504: "Carrier rejected - permanent error",
    507: "Invalid destination address",
    508: "Invalid source address",
    510: "Message blocked by subscriber action",
    515: "Suspected spam",
    521: "Requested Sender ID is not allowed for destination",
    599: "Status not available",
    1500: "Delivered to customer",
}


def reference_id() -> str:
    """A fresh 32-digit upper-case hex id, as Telesign issues."""
    return secrets.token_hex(16).upper()


def timestamp(moment: float) -> str:
    """RFC 3339 with microseconds and `Z`, the `updated_on` format of §5.1."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status_block(code: int, moment: float) -> dict[str, Any]:
    return {
        "code": code,
        "description": DESCRIPTIONS.get(code, f"Status {code}"),
        "updated_on": timestamp(moment),
    }


def error(http_status: int, code: int, moment: float, **extra: Any) -> JSONResponse:
    """A Family A error: a fresh reference id, the status block, and e.g. `signature_string`."""
    body = {"reference_id": reference_id(), "status": status_block(code, moment), **extra}
    return JSONResponse(body, status_code=http_status)
