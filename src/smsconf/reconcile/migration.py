"""What a plan says about leaving Telesign (providers.md §2.5, §7.3).

Telesign was removed from Omnichannel on 2024-10-08; a configuration that still declares a
Telesign account gets one warning naming the command that moves it. A number the organisation
holds under a Telesign account and the configuration now puts under a Twilio account is a
cut-over in progress: the steps no API does for a person (porting, carrier registration, the
console's media setting, a test message) are listed as `todo` notes, never pretended done.
"""

from __future__ import annotations

from smsconf.config.model import Config
from smsconf.mapping.live import LiveState
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.plan import Note

TELESIGN_REMOVED = "2024-10-08"
ACCOUNTS = "msdyn_occommunicationprovidersetting"
NUMBERS = "msdyn_ocphonenumber"


def telesign_notes(config: Config) -> list[Note]:
    names = [a.name for a in config.accounts if a.provider == "telesign"]
    if not names:
        return []
    listed = ", ".join(f"'{n}'" for n in names)
    targets = [a.name for a in config.accounts if a.provider in ("twilio", "acs")]
    have = ", ".join(f"'{n}'" for n in targets)
    declared = f" (this configuration has {have})" if targets else ""
    return [
        Note(
            "warning",
            "Telesign",
            f"Microsoft removed the Telesign SMS channel from Omnichannel on {TELESIGN_REMOVED}; "
            f"account(s) {listed} still use it. Declare a `provider: twilio` or `provider: acs` "
            f"account{declared} and run `smsconf migrate telesign --to ACCOUNT PATH...`: it "
            "moves the numbers to it and lists the Telesign account under `removed:`",
        )
    ]


REGISTRATION = {
    "long_code": "register the A2P 10DLC brand and campaign for it",
    "toll_free": "submit its toll-free verification (unverified toll-free traffic to the US is "
    "blocked)",
    "short_code": "move the short code's carrier approval to Twilio",
}


def person_steps(number: str, kind: str) -> list[str]:
    """What a person does for one number moving from Telesign to Twilio: no API does these."""
    return [
        "port it from Telesign to Twilio (Twilio's Porting API or console; lead time outside "
        "smsconf), unless the configuration maps it to a new number",
        REGISTRATION[kind],
        "turn off 'Enforce HTTP Auth on Media URLs' in the Twilio console if attachments are "
        "on (a Dynamics 365 prerequisite no API reads)",
        f"after apply, text the number from a handset or run `smsconf test-sms --provider "
        f"twilio --from {number} --to HANDSET`",
    ]


SYNC_FROM_AZURE = (
    "Channels > Phone numbers > Manage > Advanced > Manage Azure Communication Services > "
    "Sync from Azure"
)


def acs_person_steps(number: str, kind: str) -> list[str]:
    """What a person does for one number moving from Telesign to ACS (§7.3, D-ACS)."""
    steps = [
        "port it from Telesign to the ACS resource (ACS ports numbers by a Letter of "
        "Authorization, LOA, sent by email; lead time outside smsconf), unless the "
        "configuration maps it to a new number",
        f"once it is in the ACS resource, run Sync from Azure in the admin center "
        f"({SYNC_FROM_AZURE}): the organisation's phone-number row comes only from there",
    ]
    if kind == "toll_free":
        steps.append(
            "submit its toll-free verification (unverified toll-free traffic to the US is blocked)"
        )
    return [
        *steps,
        f"after apply, text the number from a handset or run `smsconf test-sms --provider acs "
        f"--from {number} --to HANDSET`",
    ]


def acs_account_steps(account: str, managed: bool) -> list[str]:
    """What a person does once for the ACS resource taking Telesign's numbers (D-CONN, D-EG)."""
    grid = (
        "apply creates the Event Grid system topic and SMS subscription (event_grid.mode: "
        "managed); whoever's credentials it runs with must own the Event Grid app registration"
        if managed
        else "create the Event Grid system topic and the SMS subscription (SMS Received and SMS "
        "Delivery Report Received, Event Grid Schema, Web Hook to the SMS Web Hook Endpoint, "
        "Microsoft Entra authentication), or set event_grid.mode: managed for apply to create it"
    )
    return [
        f"connect the ACS resource of '{account}' to the organisation if it is not yet "
        "(Channels > Phone numbers > Manage > Use existing resource): smsconf never creates "
        "the ACS connection",
        grid,
    ]


def telesign_steps(account: str) -> list[str]:
    """What a person does with Telesign itself once an account's numbers have moved."""
    return [
        f"once the ports complete, ask Telesign support (support@telesign.com) to release the "
        f"numbers of '{account}' and close the account; Telesign's port-out process is not "
        "documented (providers.md §10 q.12)",
        f"apply the plan with --allow-delete account[{account}]: removing an account is a "
        "delete, and nothing is deleted unattended",
    ]


def migration_notes(config: Config, live: LiveState) -> list[Note]:
    telesign = {
        str(live.row_id(ACCOUNTS, row))
        for row in live.rows.get(ACCOUNTS, ())
        if row.get("msdyn_occommunicationprovider") == vocab.PROVIDER["telesign"]
    }
    on_telesign = {
        str(row.get("msdyn_phonenumber"))
        for row in live.rows.get(NUMBERS, ())
        if str(row.get("_msdyn_occommunicationprovidersettingid_value")) in telesign
    }
    notes = []
    steps = {"twilio": person_steps, "acs": acs_person_steps}
    for account in config.accounts:
        if account.provider not in steps:
            continue
        for number in account.numbers:
            if number.number.removeprefix("+") not in on_telesign:
                continue
            subject = f"number {number.number} moving to '{account.name}'"
            texts = steps[account.provider](number.number, number.type)
            notes += [Note("todo", subject, t) for t in texts]
    return notes
