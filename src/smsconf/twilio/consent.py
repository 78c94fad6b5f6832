"""Who answers STOP, START and HELP texted to a number (the seed page: "opt-out commands must
be configured with the provider directly").

From Twilio's support articles: by default Twilio handles the standard English keywords (STOP,
UNSUBSCRIBE, END, QUIT, STOPALL, REVOKE, OPTOUT, CANCEL; START/YES/UNSTOP; HELP/INFO) for long
codes and toll-free numbers (223134027, 223181748); toll-free numbers also have a carrier layer
for STOP/START that cannot be turned off (360058144374); standalone short codes get no handling
at all: "Short code customers who are not using Messaging Services will need to build this
functionality" (223181748). A Messaging Service's Advanced Opt-Out customises keywords for all
its senders, short codes included; the Messaging API does not expose those settings (no field
on the Service resource), so smsconf can say the service may customise them, not how.
"""

from __future__ import annotations

from dataclasses import dataclass

from smsconf.twilio.numbers import NumberState


@dataclass(frozen=True)
class Consent:
    handled_by: str
    """twilio_default, carrier_and_twilio_default, messaging_service or nobody."""
    detail: str

    @property
    def warning(self) -> bool:
        return self.handled_by == "nobody"


def consent(state: NumberState, kind: str) -> Consent:
    service = state.service
    if service is not None:
        return Consent(
            "messaging_service",
            f"Messaging Service '{service.name}' ({service.sid}): its Advanced Opt-Out applies "
            "if enabled in the Twilio console (not readable through the API), else Twilio's "
            "default STOP/START/HELP handling",
        )
    if kind == "short_code":
        return Consent(
            "nobody",
            "Twilio does not handle STOP/HELP for a short code outside a Messaging Service: add "
            "it to a service with Advanced Opt-Out, or answer the keywords yourself",
        )
    if kind == "toll_free":
        return Consent(
            "carrier_and_twilio_default",
            "the toll-free network answers STOP/START (not removable); Twilio's default "
            "answers HELP",
        )
    return Consent("twilio_default", "Twilio's default handling of STOP/START/HELP (English)")
