"""Reference rows a real org ships with, written once when a database is first created.

Ids are uuid5 of a fixed namespace so tests and demos can name seeded rows without a lookup.
The out-of-the-box SMS templates, with their sources, are `outofbox.SMS_TEMPLATES`.
"""

from __future__ import annotations

import uuid
from typing import Any

from smsconf.emulator.dataverse.outofbox import SESSION_TEMPLATE, SMS_TEMPLATES, Template
from smsconf.emulator.dataverse.records import Records

SEED_NAMESPACE = uuid.UUID("0f0c6b1e-5d55-4a8e-8a53-1c6a3c7a9d20")
SEEDED_FLAG = "seeded"


def seed_id(table: str, name: str) -> str:
    """The fixed id of a seeded row."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"{table}/{name}"))


LANGUAGES: dict[int, str] = {
    1033: "English - United States",
    1036: "French - France",
    1031: "German - Germany",
    3082: "Spanish - Spain (Modern Sort)",
    1043: "Dutch - Netherlands",
    1041: "Japanese - Japan",
    1046: "Portuguese - Brazil",
    1040: "Italian - Italy",
    2057: "English - United Kingdom",
    3084: "French - Canada",
}


DEFAULT_QUEUE_NAME = "Default messaging queue"
DEFAULT_OPERATING_HOURS_NAME = "Default operating hours"
QUEUE_OUTPUT_CONTRACT = "msdyn_demandqueueidentificationoutput"
QUEUE_OUTPUT_CONTRACT_XML = (
    '<contract version="1"><complex key="assign_to"><variable name="queue" data-type="string" />'
    "</complex></contract>"
)


def _template(template: Template, **columns: Any) -> tuple[str, dict[str, Any]]:
    table = template.table
    return table, {
        f"{table}id": seed_id(table, template.unique_name),
        "msdyn_uniquename": template.unique_name,
        "msdyn_name": template.name,
        **columns,
    }


def _rows(app_user_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "systemuser",
            {
                "systemuserid": app_user_id,
                "fullname": "# smsconf application user",
                "applicationid": seed_id("application", "smsconf"),
            },
        ),
    ]
    rows += [
        (
            "msdyn_oclanguage",
            {
                "msdyn_oclanguageid": seed_id("msdyn_oclanguage", str(lcid)),
                "msdyn_languagename": name,
                "msdyn_localeid": lcid,
            },
        )
        for lcid, name in LANGUAGES.items()
    ]
    operating_hours = seed_id("msdyn_operatinghour", DEFAULT_OPERATING_HOURS_NAME)
    rows.append(
        (
            "msdyn_operatinghour",
            {
                "msdyn_operatinghourid": operating_hours,
                "msdyn_name": DEFAULT_OPERATING_HOURS_NAME,
                "msdyn_enablealldays": True,
                "msdyn_starttimestring": "00:00",
                "msdyn_endtimestring": "23:59",
                "msdyn_timezone": 85,
                "msdyn_oc_daysofweek": ",".join(str(192350000 + d) for d in range(7)),
            },
        )
    )
    rows.append(
        (
            "queue",
            {
                "queueid": seed_id("queue", DEFAULT_QUEUE_NAME),
                "name": DEFAULT_QUEUE_NAME,
                "msdyn_isomnichannelqueue": True,
                "msdyn_isdefaultqueue": True,
                "msdyn_queuetype": 192350000,
                "msdyn_assignmentstrategy": 192350000,
                "msdyn_priority": 2147483647,
                "msdyn_operatinghourid": operating_hours,
            },
        )
    )
    rows += [
        _template(t, msdyn_sessiontype=0) if t.table == SESSION_TEMPLATE else _template(t)
        for t in SMS_TEMPLATES
    ]
    rows.append(
        (
            "msdyn_decisioncontract",
            {
                "msdyn_decisioncontractid": seed_id(
                    "msdyn_decisioncontract", QUEUE_OUTPUT_CONTRACT
                ),
                "msdyn_uniquename": QUEUE_OUTPUT_CONTRACT,
                "msdyn_name": QUEUE_OUTPUT_CONTRACT,
                "msdyn_contractdefinition": QUEUE_OUTPUT_CONTRACT_XML,
            },
        )
    )
    return rows


def seed(records: Records) -> None:
    """Write the reference rows once; a database that was seeded before is left alone."""
    store = records.store
    with store.transaction():
        if store.meta(SEEDED_FLAG):
            return
        for table_name, values in _rows(records.user_id):
            table = records.schema.tables.get(table_name)
            if table is not None:  # an organisation of another schema may lack the table
                records.create(table, dict(values))
        store.set_meta(SEEDED_FLAG, "1")
