"""Configuration → desired rows: the values each admin-center setting becomes in Dataverse."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsconf.config import load_config
from smsconf.config.problems import Path_
from smsconf.config.secrets import SecretRef
from smsconf.mapping import ids
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.rows import DesiredRow
from smsconf.mapping.tables import FINGERPRINT_KEY

EXAMPLES = Path(__file__).parents[2] / "examples"
ORG = "00000000-0000-4000-8000-000000000001"


class OrgOfNames:
    """A resolver over a fixed set of looked-up names, the way an organisation answers."""

    def __init__(self) -> None:
        self.missing: list[tuple[str, str]] = []

    def id_of(self, table: str, key: tuple[str, ...], path: Path_ = ()) -> str:
        return ids.row_id(ORG, table, key)

    def lookup(self, kind: str, value: str, path: tuple) -> str | None:
        if value.startswith("missing"):
            self.missing.append((kind, value))
            return None
        return ids.row_id(ORG, f"lookup:{kind}", (value,))

    def fingerprint(self, secret: SecretRef, path: tuple) -> str | None:
        return "f" * 16

    def kept(self, table: str, key: tuple[str, ...], column: str) -> object:
        return None  # an empty organisation


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, tuple[str, ...]], DesiredRow]:
    config = load_config([EXAMPLES], env="local")
    desired, _ = desired_rows(config, OrgOfNames())
    return {(r.table, r.key): r for r in desired}


def test_workstream_columns_use_dataverse_values(rows: dict) -> None:
    ws = rows[("msdyn_liveworkstream", ("SMS Support",))]
    assert ws.columns["msdyn_streamsource"] == 192340000
    assert ws.columns["msdyn_workdistributionmode"] == 192350000
    assert ws.columns["msdyn_autocloseafterinactivity"] == 2 * 24 * 60
    assert ws.columns["msdyn_blockcapacityforwrapup"] == 5
    assert ws.columns["msdyn_allowedpresences"] == "192360000,192360001"
    assert ws.columns["msdyn_sessiontemplate_default"] == "msdyn_sms_session_default"
    assert "msdyn_workdistributionmode" in ws.immutable
    sales = rows[("msdyn_liveworkstream", ("SMS Sales",))]
    assert sales.columns["msdyn_blockcapacityforwrapup"] == 0  # never block [inferred]
    assert sales.columns["msdyn_capacityformat"] == 192360000


def test_ids_are_deterministic_per_org_and_key(rows: dict) -> None:
    ws = rows[("msdyn_liveworkstream", ("SMS Support",))]
    assert ws.id == ids.row_id(ORG, "msdyn_liveworkstream", ("sms support",))
    assert ws.id != ids.row_id(ORG.replace("1", "2"), "msdyn_liveworkstream", ("SMS Support",))


def test_managed_queue_by_our_id_and_lookup_queue_by_name(rows: dict) -> None:
    support = rows[("msdyn_liveworkstream", ("SMS Support",))]
    uk = rows[("msdyn_liveworkstream", ("UK Support",))]
    assert support.links["msdyn_defaultqueue"] == ids.row_id(ORG, "queue", ("SMS Support Tier 1",))
    assert uk.links["msdyn_defaultqueue"] == ids.row_id(
        ORG, "lookup:queue", ("Default messaging queue",)
    )


def test_api_key_is_a_secret_with_a_fingerprint_row(rows: dict) -> None:
    account = rows[("msdyn_occommunicationprovidersetting", ("contoso-telesign",))]
    assert set(account.secrets) == {"msdyn_securesecret"}
    assert "msdyn_securesecret" not in account.columns
    entry = rows[
        ("msdyn_occommunicationprovidersettingentry", ("contoso-telesign", FINGERPRINT_KEY))
    ]
    assert entry.columns["msdyn_value"] == "f" * 16
    assert entry.links["msdyn_communicationprovidersettingentid"] == account.id


def test_automated_messages_point_at_their_channel(rows: dict) -> None:
    channel = rows[("msdyn_ocsmschannelsetting", ("SMS Support",))]
    greeting = rows[("msdyn_ocsystemmessage", ("SMS Support", "192350056"))]
    assert greeting.columns["msdyn_instanceid"] == channel.id
    assert greeting.columns["msdyn_streamsource"] == 192340000
    french = rows[("msdyn_oclocalizationdata", ("SMS Support", "192350056", "1036"))]
    assert french.links["msdyn_systemmessageid"] == greeting.id


def test_routing_is_one_configuration_with_ordered_steps(rows: dict) -> None:
    steps = sorted(
        (
            r
            for r in rows.values()
            if r.table == "msdyn_routingconfigurationstep"
            and r.parent == ("msdyn_liveworkstream", ("SMS Support",))
        ),
        key=lambda r: r.columns["msdyn_steporder"],
    )
    assert [s.columns["msdyn_type"] for s in steps] == [192350000, 192350002]
    config = rows[("msdyn_routingconfiguration", ("SMS Support",))]
    assert {s.links["msdyn_routingconfigurationid"] for s in steps} == {config.id}


def test_names_missing_from_the_org_are_all_reported() -> None:
    config = load_config([EXAMPLES], env="local")
    config.workstreams[0].bot = "missing bot"
    config.queues[3].name = "missing queue"
    config.workstreams[2].fallback_queue = "missing queue"
    org = OrgOfNames()
    desired_rows(config, org)
    assert ("bot", "missing bot") in org.missing and ("queue", "missing queue") in org.missing
