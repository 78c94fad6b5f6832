"""Opening a target: the composition layer, the one place that knows the local target is the
emulators.

A URL target is a `DataverseClient` with Azure credentials (or `SMSCONF_TOKEN`). The local
target runs the Dataverse, Telesign, Twilio and ACS emulators in-process over httpx's ASGI
transport, with the Dataverse store in SQLite under the state directory, so a later command
sees what an earlier one applied. The CLI, the tests and the benchmark open targets here; the
reconciler only ever receives the `Target` value (smsconf.target).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from smsconf import hosts
from smsconf.dataverse import DataverseClient, RetryPolicy, StaticToken, credential_from_environment
from smsconf.redact import register
from smsconf.target import (
    LOCAL,
    LOCAL_ACS_URL,
    LOCAL_ARM_URL,
    LOCAL_DB,
    LOCAL_TELESIGN_URL,
    LOCAL_TWILIO_URL,
    LOCAL_URL,
    Target,
    state_dir,
)

if TYPE_CHECKING:  # the emulators are imported only when the local target is opened
    from smsconf.emulator.acs import AcsResource
    from smsconf.emulator.dataverse import FaultConfig

LOCAL_TWILIO_STATE = "twilio.json"
LOCAL_ACS_STATE = "acs.json"
LOCAL_NAMESPACE = uuid.UUID("5d0c4a8e-2f3b-4c61-9a7e-0b1d2c3e4f50")
# Objects the example looks up by name that a real org would already have (bots are
# application users, surveys come from Customer Voice, operating hours are calendars set in the
# admin center): the local org has them from the start.
LOCAL_DEMO_ROWS = {
    # fullname is read-only (the systemuser page): an application user's is its last name.
    "systemusers": ("lastname", ["Contoso SMS bot (local)", "Contoso knowledge assistant"]),
    "msfp_surveies": ("msfp_name", ["SMS satisfaction survey", "SMS bot survey"]),
    "msdyn_operatinghours": ("msdyn_name", ["Business hours", "Always open"]),
}


@asynccontextmanager
async def open_target(
    target: str,
    *,
    gateway: str | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    faults: FaultConfig | None = None,
    named_by: str = "--target",
    home: Path | None = None,
) -> AsyncIterator[Target]:
    """Connect to `local` or an organisation URL; closes the connections afterwards.

    `transport` (tests, benchmarks) replaces the network for a URL target. A URL target takes
    `SMSCONF_TOKEN` as a static bearer token when set (handy for `smsconf emulator serve`),
    else Azure credentials from the environment, once the host policy trusts its host (a
    documented organisation host, or one the workflow allowed; `named_by` says who named it).
    `faults` (tests, reliability runs) makes the local organisation fail as configured
    (refused for a real organisation). `home` is the state directory (`state_dir(paths)` of
    the configuration; default: found from the current directory).
    """
    home = home if home is not None else state_dir()
    if target == LOCAL:
        async with _local(home, retry, faults) as local:
            yield local
        return
    if faults is not None:
        raise ValueError("faults can only be injected into the local organisation")
    if transport is None:
        hosts.require(target, "dataverse", named_by)
    token = os.environ.get("SMSCONF_TOKEN")
    if token:
        register(token)
    credential = (
        StaticToken(token, "${env:SMSCONF_TOKEN}") if token else credential_from_environment()
    )
    async with DataverseClient(target, credential, transport=transport, retry=retry) as client:
        yield Target(
            target,
            target,
            client,
            gateway=gateway,
            credential_source=credential.source,
            home=home,
        )


@asynccontextmanager
async def _local(
    home: Path, retry: RetryPolicy | None, faults: FaultConfig | None = None
) -> AsyncIterator[Target]:
    from smsconf.emulator.dataverse import create_app as dataverse_app

    home.mkdir(parents=True, exist_ok=True)
    db = home / LOCAL_DB
    fresh = not db.exists()
    org_id = new_org_id() if fresh else None
    app = dataverse_app(db, base_url=LOCAL_URL, faults=faults, org_id=org_id)
    try:
        async with DataverseClient(
            LOCAL_URL, StaticToken("local"), transport=httpx.ASGITransport(app=app), retry=retry
        ) as client:
            if fresh:
                await seed_demo_rows(client)
            twilio_url, twilio_transport = local_twilio(httpx.ASGITransport(app=app), home=home)
            acs_url, acs_transport, arm_url, arm_transport = local_acs(
                httpx.ASGITransport(app=app), home=home
            )
            yield Target(
                LOCAL,
                LOCAL_URL,
                client,
                *local_telesign(),
                gateway=LOCAL_URL,
                twilio_endpoint=twilio_url,
                twilio_transport=twilio_transport,
                acs_endpoint=acs_url,
                acs_transport=acs_transport,
                arm_endpoint=arm_url,
                arm_transport=arm_transport,
                home=home,
            )
    finally:
        app.close()


def new_org_id() -> str:
    """A new local organisation's own id: each is a different organisation, as two real ones
    are, so a plan made against one is refused by another."""
    return str(uuid.uuid4())


def local_telesign() -> tuple[str, httpx.AsyncBaseTransport]:
    """The local organisation's Telesign: the in-process emulator knowing the demo accounts."""
    from smsconf.emulator.telesign import DEMO_ACCOUNTS
    from smsconf.emulator.telesign import create_app as telesign_app

    return LOCAL_TELESIGN_URL, httpx.ASGITransport(app=telesign_app(DEMO_ACCOUNTS))


def local_twilio(
    organisation: httpx.AsyncBaseTransport | None = None, *, home: Path | None = None
) -> tuple[str, httpx.AsyncBaseTransport]:
    """The local organisation's Twilio: the in-process emulator with the demo account, its
    numbers' webhooks kept beside the local org (so a re-plan sees what apply set), and its
    inbound webhooks delivered to the local org's `/twilio/incoming` when given."""
    from smsconf.emulator.twilio import create_app as twilio_app

    home = home if home is not None else state_dir()
    home.mkdir(parents=True, exist_ok=True)
    app = twilio_app(state_file=home / LOCAL_TWILIO_STATE, webhook_transport=organisation)
    return LOCAL_TWILIO_URL, httpx.ASGITransport(app=app)


def local_acs(
    organisation: httpx.AsyncBaseTransport | None = None, *, home: Path | None = None
) -> tuple[str, httpx.AsyncBaseTransport, str, httpx.AsyncBaseTransport]:
    """The local organisation's ACS: (data-plane URL, transport, ARM URL, transport), one
    in-process emulator of the demo resource answering both, its Event Grid objects kept
    beside the local org (so a re-plan sees the subscription apply created). The events its
    Event Grid delivers (`/_emulator/inbound`) go to `organisation` when given, else nowhere:
    never onto the network."""
    from smsconf.emulator.acs import create_app as acs_app
    from smsconf.emulator.acs import demo_resource

    home = home if home is not None else state_dir()
    home.mkdir(parents=True, exist_ok=True)
    resource = demo_resource(host=httpx.URL(LOCAL_ACS_URL).host)
    nowhere = httpx.MockTransport(lambda request: httpx.Response(502))
    app = acs_app([resource], state_file=home / LOCAL_ACS_STATE, delivery=organisation or nowhere)
    transport = httpx.ASGITransport(app=app)
    return LOCAL_ACS_URL, transport, LOCAL_ARM_URL, transport


async def seed_demo_rows(client: DataverseClient, acs: AcsResource | None = None) -> None:
    """Fixed ids, so every fresh local org is the same org and its plans are reproducible.
    `acs`: the demo resource with other numbers (the benchmark's), synced in its stead."""
    for entity_set, (column, names) in LOCAL_DEMO_ROWS.items():
        for name in names:
            row_id = uuid.uuid5(LOCAL_NAMESPACE, f"{entity_set}/{name}")
            await client.create(entity_set, {column: name}, id=row_id)
    await seed_acs_rows(client, acs)


async def seed_acs_rows(client: DataverseClient, acs: AcsResource | None = None) -> None:
    """What the admin center's "connect an ACS resource" and "Sync from Azure" would have
    written for the demo resource (providers.md §2.2, §2.4): the provider setting (192350000,
    the resource's immutable id and data location, the connection string as its secret
    [inferred]), the Event Grid app entries, and a number row (+E.164) for each number but the
    one left unsynced. smsconf never writes these itself; the local org has them as a real
    one would."""
    from smsconf.emulator.acs import (
        DEMO_EVENT_GRID_APP_ID,
        DEMO_EVENT_GRID_TENANT_ID,
        DEMO_NOT_SYNCED,
        DEMO_RESOURCE,
    )
    from smsconf.platform.tables import TABLES

    def bind(table: str, column: str, target_id: uuid.UUID) -> dict[str, str]:
        found = TABLES[table].column(column)
        assert found is not None and found.navigation and found.target
        return {
            f"{found.navigation}@odata.bind": f"/{TABLES[found.target].entity_set}({target_id})"
        }

    resource = acs or DEMO_RESOURCE
    setting = uuid.uuid5(LOCAL_NAMESPACE, f"acs/{resource.name}")
    await client.create(
        TABLES["msdyn_occommunicationprovidersetting"].entity_set,
        {
            "msdyn_name": resource.name,
            "msdyn_occommunicationprovider": 192350000,
            "msdyn_occommunicationproviderimmutableid": resource.immutable_id,
            "msdyn_occommunicationproviderdatalocation": resource.data_location,
            "msdyn_securesecret": resource.connection_string(LOCAL_ACS_URL),
        },
        id=setting,
    )
    entry = "msdyn_occommunicationprovidersettingentry"
    for key, value in (
        ("EventGridAppID", DEMO_EVENT_GRID_APP_ID),
        ("EventGripAppTenantID", DEMO_EVENT_GRID_TENANT_ID),  # sic, as the admin center keys it
    ):
        await client.create(
            TABLES[entry].entity_set,
            {
                "msdyn_name": key,
                "msdyn_key": key,
                "msdyn_value": value,
                **bind(entry, "msdyn_communicationprovidersettingentid", setting),
            },
            id=uuid.uuid5(LOCAL_NAMESPACE, f"acs/{resource.name}/{key}"),
        )
    number_table = "msdyn_ocphonenumber"
    kinds = {"tollFree": 192350001, "mobile": 192350003, "geographic": 192350000}
    for number in resource.numbers:
        if number.phone_number == DEMO_NOT_SYNCED:
            continue
        await client.create(
            TABLES[number_table].entity_set,
            {
                "msdyn_name": number.phone_number,
                "msdyn_phonenumber": number.phone_number,
                "msdyn_countryisocode": number.country_code,
                "msdyn_type": kinds[number.phone_number_type],
                "msdyn_ocphonenumbersource": 192350000,  # Direct Offer (ACS)
                "msdyn_phonenumbertype": 0,  # ACS
                "msdyn_smsinboundenabled": "inbound" in number.sms,
                "msdyn_smsoutboundenabled": "outbound" in number.sms,
                "msdyn_phoneinboundenabled": "inbound" in number.calling,
                "msdyn_phoneoutboundenabled": "outbound" in number.calling,
                **bind(number_table, "msdyn_occommunicationprovidersettingid", setting),
            },
            id=uuid.uuid5(LOCAL_NAMESPACE, f"acs/{number.phone_number}"),
        )


def prepare_org(db: Path, org_id: str | None = None) -> None:
    """Create the organisation file `db` with the demo rows if it does not exist yet, as the
    first `plan` on the local target would: `emulator serve --db NEW` then serves an org the
    example can run against (its bots, surveys and operating hours are looked up by name).
    `org_id` pins the new org's id (reproducible plans in tests); default: a new one."""
    if db.exists():
        return
    import asyncio

    from smsconf.emulator.dataverse import create_app as dataverse_app

    db.parent.mkdir(parents=True, exist_ok=True)
    app = dataverse_app(db, base_url=LOCAL_URL, org_id=org_id or new_org_id())

    async def seed() -> None:
        transport = httpx.ASGITransport(app=app)
        async with DataverseClient(LOCAL_URL, StaticToken("local"), transport=transport) as client:
            await seed_demo_rows(client)

    try:
        asyncio.run(seed())
    finally:
        app.close()
