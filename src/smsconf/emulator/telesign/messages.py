"""The message store: validation of a send (§11.3), stored messages and their scripted states."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from smsconf.emulator.telesign.accounts import EmulatedAccount

MESSAGE_TYPES = frozenset({"OTP", "ARN", "MKT"})
MAX_MESSAGE_LENGTH = 1600
MAX_SENDER_ID_LENGTH = 20
STATUS_LIFETIME = 12 * 3600.0
_PHONE = re.compile(r"\d{7,15}")
_REFERENCE = re.compile(r"[0-9A-Fa-f]{32}")
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass
class StoredMessage:
    """A sent message; `step` is how far its delivery script has advanced."""

    reference_id: str
    customer_id: str
    phone_number: str
    message: str
    message_type: str
    sender_id: str | None
    external_id: str | None
    callback_url: str | None
    submitted_at: float
    script: tuple[int, ...]
    step: int = 0

    @property
    def status_code(self) -> int:
        return self.script[min(self.step, len(self.script) - 1)]

    @property
    def parts(self) -> int:
        """Segments as carriers count them: GSM-7 160/153, otherwise UCS-2 70/67 [third-party]."""
        single, multi = (160, 153) if set(self.message) <= _GSM7_BASIC else (70, 67)
        length = len(self.message)
        return 1 if length <= single else -(-length // multi)

    def advance(self) -> None:
        self.step = min(self.step + 1, len(self.script) - 1)


def send_error(account: EmulatedAccount, form: Mapping[str, str]) -> int | None:
    """The 400 code Telesign gives a send form, in its documented order, or None if valid."""
    for name, missing in (("phone_number", 12000), ("message", 12009), ("message_type", 12017)):
        if not form.get(name):
            return missing
    if not _PHONE.fullmatch(form["phone_number"]):
        return 11000
    if form["message_type"] not in MESSAGE_TYPES:
        return 11017
    if len(form["message"]) > MAX_MESSAGE_LENGTH:
        return 11009
    sender_id = form.get("sender_id")
    if sender_id is not None and (
        len(sender_id) > MAX_SENDER_ID_LENGTH
        or (account.reject_unknown_senders and account.owns(sender_id) is None)
    ):
        return 11013
    return None


def valid_reference(reference_id: str) -> bool:
    return bool(_REFERENCE.fullmatch(reference_id))
