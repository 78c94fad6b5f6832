"""The organisation's inbound URL per provider: where Telesign and Twilio deliver inbound SMS.

[inferred] (dataverse-evidence §3, providers.md §2.1, §10 q.1): one URL per organisation, not
per number or account, computed rather than stored: Microsoft's own end-to-end clients post to
`${ApiGatewayUrl}/telesign/incoming?orgId=${OrgId}` and `${ApiGatewayUrl}/twilio/incoming?orgId=
${OrgId}`, and a real organisation's gateway is `https://m-<orgid>.<geo>.omnichannelengagementhub
.com`. The admin center's "Twilio inbound URL" is taken to be this string exactly; Twilio signs
the exact URL it calls, so a reconciler compares it character for character. On the verify
list: copy the admin center's URL once and compare.
"""

from __future__ import annotations

INBOUND_PATH = {"telesign": "/telesign/incoming", "twilio": "/twilio/incoming"}
INFERRED = (
    "the Twilio inbound URL is <gateway>/twilio/incoming?orgId=<organisation id>, one per "
    "organisation (as Telesign's callback URL)",
    "the organisation verifies X-Twilio-Signature on its Twilio inbound URL at all (HMAC-SHA1 "
    "with the account's stored Auth Token over the exact URL called, tried with and without its "
    "default port, and the sorted parameters: providers.md §3.6, §10 q.2), and answers a "
    "missing or wrong signature with 403, a verified message with 200 and an empty TwiML "
    "<Response/> (the local organisation does so; the status, code and body are not documented)",
)


def inbound_url(gateway: str, provider: str, org_id: str) -> str:
    return f"{gateway.rstrip('/')}{INBOUND_PATH[provider]}?orgId={org_id}"
