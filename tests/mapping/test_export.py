"""Export (issue 6): the live organisation as configuration that validates and re-plans to zero.

Round trips run against the local organisation through the library: the example, and seeded
random organisations (several accounts, workstreams, messages, rulesets). The omission tests
edit the rows export reads, in memory, the way an admin-center edit or an older product
version would leave them, and check that each one is listed rather than silently dropped.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.mapping.orgs import apply, export_to, generated, plan, read_org
from tools.testkit.workspace import DEMO_SECRETS, copy_organisation

from smsconf.config.loader import load, validate_paths
from smsconf.config.model import Config, Workstream
from smsconf.config.rules import check
from smsconf.emulator.acs import DEMO_OUTBOUND_ONLY, DEMO_TWO_WAY
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID
from smsconf.mapping import ids
from smsconf.mapping.export import Exported, secret_variable
from smsconf.mapping.live import LiveState, Row
from smsconf.mapping.yaml_out import NOT_EXPORTED, SHARED_FILE, render, slug, write
from smsconf.platform import vocabulary as vocab
from smsconf.reconcile.manager import export_live
from smsconf.target import LOCAL, LOCAL_DB

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO_KEYS = DEMO_SECRETS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own local organisation (empty until something is applied)."""
    monkeypatch.setenv("SMSCONF_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    for name in DEMO_KEYS:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied once for the module; tests copy the database."""
    root = tmp_path_factory.mktemp("example")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SMSCONF_HOME", str(root))
        for name in DEMO_KEYS:
            mp.delenv(name, raising=False)
        asyncio.run(apply([EXAMPLES]))
    return root / LOCAL_DB


@pytest.fixture
def example_org(home: Path, example_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the applied example; the demo keys set under the names export writes."""
    copy_organisation(example_db, home / "home")
    for name, value in DEMO_KEYS.items():
        monkeypatch.setenv(name, value)
    return home


@pytest.fixture
def example_live(example_org: Path) -> LiveState:
    return asyncio.run(read_org())


def files_of(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def by_name(workstreams: list[Workstream]) -> dict[str, Workstream]:
    return {ws.name: ws for ws in workstreams}


# --- round trips ---------------------------------------------------------------------------------


async def test_example_exports_to_files_that_re_plan_to_zero_changes(example_org: Path) -> None:
    out = example_org / "exported"
    exported = await export_to(out)
    assert exported.omitted == []
    assert sorted(files_of(out)) == [
        SHARED_FILE,
        "workstreams/sms-billing.yaml",
        "workstreams/sms-orders.yaml",
        "workstreams/sms-sales.yaml",
        "workstreams/sms-support.yaml",
        "workstreams/uk-support.yaml",
    ]
    validate_paths([out])
    result = await plan([out])
    assert result.changes == ()
    assert result.unsafe == ()
    assert {u.label for u in result.unmanaged} == {
        "operating hours 'Always open'",
        "operating hours 'Business hours'",
        "operating hours 'Default operating hours'",
        "queue 'Default messaging queue'",
        # the organisation's ACS connection and its numbers: found and checked, never written
        "account 'contoso-acs'",
        f"number '{DEMO_TWO_WAY}'",
        f"number '{DEMO_OUTBOUND_ONLY}'",
    }


async def test_example_export_says_what_the_example_says(example_org: Path) -> None:
    """Everything the organisation stores comes back as the example wrote it."""
    original = load([EXAMPLES]).config
    exported = (await export_to(example_org / "out")).config
    assert [ws.name for ws in exported.workstreams] == [
        "SMS Billing",
        "SMS Orders",
        "SMS Sales",
        "SMS Support",
        "UK Support",
    ]
    for name, ws in by_name(original.workstreams).items():
        back = by_name(exported.workstreams)[name]
        assert back.distribution == ws.distribution
        assert back.routing == ws.routing
        assert back.fallback_queue == ws.fallback_queue and back.bot == ws.bot
        assert back.advanced.context_variables == ws.advanced.context_variables
        assert sorted(back.advanced.quick_replies) == sorted(ws.advanced.quick_replies)
        assert ws.sms is not None and back.sms is not None
        assert back.sms.model_copy(update={"automated_messages": []}) == ws.sms.model_copy(
            update={"automated_messages": []}
        )
        assert sorted(back.sms.automated_messages, key=lambda m: m.trigger) == sorted(
            ws.sms.automated_messages, key=lambda m: m.trigger
        )
    managed = {q.name: q.managed for q in exported.queues}
    assert managed == {
        "Default messaging queue": False,
        "SMS Sales": True,
        "SMS Support Tier 1": True,
        "SMS Support VIP": True,
    }
    assert [q for q in exported.queues if q.managed] == sorted(
        (q for q in original.queues if q.managed), key=lambda q: q.name
    )
    assert exported.operating_hours == sorted(original.operating_hours, key=lambda h: h.name)
    assert [(a.name, a.identifier, a.secret.reference) for a in exported.accounts] == [
        ("contoso-acs", "contoso-acs", "${env:CONTOSO_ACS_CONNECTION_STRING}"),
        ("contoso-telesign", "DEMO-CUSTOMER-0001", "${env:CONTOSO_TELESIGN_API_KEY}"),
        ("contoso-twilio", DEMO_ACCOUNT_SID, "${env:CONTOSO_TWILIO_AUTH_TOKEN}"),
        ("fabrikam-telesign", "DEMO-CUSTOMER-0002", "${env:FABRIKAM_TELESIGN_API_KEY}"),
    ]


async def test_export_is_canonical_and_byte_identical_twice(example_org: Path) -> None:
    await export_to(example_org / "one")
    await export_to(example_org / "two")
    one, two = files_of(example_org / "one"), files_of(example_org / "two")
    assert one == two
    shared = yaml.safe_load(one[SHARED_FILE])
    order = [k for k in Config.model_fields if k in shared]
    assert list(shared) == order
    assert [q["name"] for q in shared["queues"]] == sorted(q["name"] for q in shared["queues"])
    support = one["workstreams/sms-support.yaml"]
    assert "block_capacity_for_wrap_up: 5m" in support
    assert "auto_close_after: 8h" in one["workstreams/sms-sales.yaml"]
    assert "managed" not in str(shared["queues"][0])  # the org's default queue: a lookup
    assert f"{NOT_EXPORTED} nothing" in one[SHARED_FILE]


async def test_an_empty_organisation_exports_to_an_empty_configuration(home: Path) -> None:
    """Nothing smsconf created, nothing used: the org's own defaults stay out of the files;
    its ACS connection (the admin center's) is exported by reference, with its numbers."""
    exported = await export_to(home / "exported")
    assert exported.omitted == []
    (acs,) = exported.config.accounts
    assert (acs.name, acs.provider, acs.secret.reference) == (
        "contoso-acs",
        "acs",
        "${env:CONTOSO_ACS_CONNECTION_STRING}",
    )
    assert [n.number for n in acs.numbers] == [DEMO_TWO_WAY, DEMO_OUTBOUND_ONLY]
    assert exported.config.model_copy(update={"accounts": []}) == Config()
    assert [o.what for o in exported.not_stored] == [
        "environments[*].gateway",
        "environments[*].variables",
        "accounts[contoso-acs].resource_id",
        "accounts[contoso-acs].event_grid",
        f"accounts[contoso-acs].numbers[{DEMO_TWO_WAY}].description",
        f"accounts[contoso-acs].numbers[{DEMO_OUTBOUND_ONLY}].description",
    ]
    assert sorted(files_of(home / "exported")) == [SHARED_FILE]
    assert (await plan([home / "exported"])).changes == ()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_generated_organisations_round_trip(
    seed: int, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = generated(seed, home / "config", monkeypatch)
    await apply([source])
    exported = await export_to(home / "exported")
    assert exported.omitted == []
    validate_paths([home / "exported"])
    result = await plan([home / "exported"])
    assert [c.label for c in result.changes] == []
    original = load([source]).config
    assert len(exported.config.workstreams) == len(original.workstreams) >= 2
    for name, ws in by_name(original.workstreams).items():
        back = by_name(exported.config.workstreams)[name]
        assert back.routing == ws.routing
        assert back.distribution.model_dump() == ws.distribution.model_dump() | {
            "allowed_presences": [
                p for p in vocab.PRESENCE if p in ws.distribution.allowed_presences
            ]
        }
        assert back.advanced.context_variables == ws.advanced.context_variables


# --- what cannot round-trip is listed -----------------------------------------------------------


def edited(live: LiveState, table: str, where: Callable[[Row], bool], **columns: Any) -> LiveState:
    """`live` with the matching rows changed, as an edit outside smsconf would leave them."""
    rows = copy.deepcopy(live.rows)
    matched = [row for row in rows[table] if where(row)]
    assert matched, f"no {table} row matched"
    for row in matched:
        row.update(columns)
    return LiveState(live.org_id, rows, live.associations)


def exported_after(
    live: LiveState, table: str, where: Callable[[Row], bool], **columns: Any
) -> Exported:
    """What export makes of `live` once an edit outside smsconf changed the matching rows."""
    return export_live(edited(live, table, where, **columns))


def named(name: str, column: str = "msdyn_name") -> Callable[[Row], bool]:
    return lambda row: row.get(column) == name


def reasons(exported: Exported) -> list[str]:
    return [str(o) for o in exported.omitted]


def test_a_legacy_workstream_is_listed_and_left_unmanaged(example_live: LiveState) -> None:
    exported = exported_after(
        example_live, "msdyn_liveworkstream", named("UK Support"), msdyn_mode=717210000
    )
    assert [ws.name for ws in exported.config.workstreams] == [
        "SMS Billing",
        "SMS Orders",
        "SMS Sales",
        "SMS Support",
    ]
    assert reasons(exported) == [
        "workstream 'UK Support': not exported: msdyn_mode 717210000 is not the unified routing "
        "model smsconf writes (a legacy-model workstream)"
    ]


def test_an_unknown_trigger_keeps_its_workstream_out(example_live: LiveState) -> None:
    exported = exported_after(
        example_live,
        "msdyn_ocsystemmessage",
        named("SMS Sales - greeting"),
        msdyn_systemmessageeventtype=192350099,
    )
    assert "SMS Sales" not in by_name(exported.config.workstreams)
    assert reasons(exported) == [
        "workstream 'SMS Sales': not exported: message trigger value 192350099 is not one smsconf "
        "can express"
    ]


def test_a_ruleset_shape_smsconf_does_not_write_is_listed(example_live: LiveState) -> None:
    characteristic = (
        '<decision hit-policy="all" version="1"><rules><rule id="r" name="Skills"><logical '
        'operator="AND"/><action><upsertrecords><target>msdyn_ocliveworkitemcharacteristic'
        "</target><records/></upsertrecords></action></rule></rules></decision>"
    )
    routing = ids.unique_name(
        "msdyn_decisionruleset", ("SMS Sales", "route_to_queue", "Route to queue")
    )
    exported = exported_after(
        example_live,
        "msdyn_decisionruleset",
        named(routing, "msdyn_uniquename"),
        msdyn_rulesetdefinition=characteristic,
    )
    assert "SMS Sales" not in by_name(exported.config.workstreams)
    assert reasons(exported) == [
        "workstream 'SMS Sales': not exported: rule 'Skills' upserts records other than a split"
    ]


def test_a_column_the_language_cannot_say_is_found_by_the_residue_check(
    example_live: LiveState,
) -> None:
    exported = exported_after(
        example_live, "msdyn_ocphonenumber", named("55123"), msdyn_smsinboundenabled=False
    )
    assert reasons(exported) == [
        "number 55123: a plan of the export would update it (msdyn_smsinboundenabled is False "
        "there, the configuration says True)"
    ]


def test_a_name_shared_by_two_queues_is_ambiguous(example_live: LiveState) -> None:
    rows = copy.deepcopy(example_live.rows)
    twin = dict(next(r for r in rows["queue"] if r["name"] == "SMS Sales"))
    rows["queue"].insert(0, twin | {"queueid": "00000000-0000-0000-0000-00000000beef"})
    exported = export_live(LiveState(example_live.org_id, rows, example_live.associations))
    assert "SMS Sales" not in by_name(exported.config.workstreams)
    assert (
        "workstream 'SMS Sales': not exported: its fallback queue 'SMS Sales' is ambiguous: "
        "more than one has that name" in reasons(exported)
    )


def test_text_that_loading_would_substitute_is_listed(example_live: LiveState) -> None:
    exported = exported_after(
        example_live,
        "msdyn_ocsystemmessage",
        named("SMS Sales - greeting"),
        msdyn_messagetext="Hi ${var:name}",
    )
    assert "SMS Sales" not in by_name(exported.config.workstreams)
    assert any("${var:...}" in r for r in reasons(exported))


def test_a_managed_object_the_language_cannot_hold_becomes_a_lookup(
    example_live: LiveState,
) -> None:
    exported = exported_after(
        example_live, "queue", named("SMS Support VIP", "name"), msdyn_priority=2**31 - 1
    )
    vip = next(q for q in exported.config.queues if q.name == "SMS Support VIP")
    assert not vip.managed
    assert reasons(exported) == [
        "queue 'SMS Support VIP': exported as a lookup, not managed: priority: Input should be "
        "less than or equal to 10000"
    ]


def test_an_account_of_another_provider_is_listed_with_what_uses_its_numbers(
    example_live: LiveState,
) -> None:
    exported = exported_after(
        example_live,
        "msdyn_occommunicationprovidersetting",
        named("fabrikam-telesign"),
        msdyn_occommunicationprovider=192350003,  # Microsoft Teams Phone System
    )
    assert [a.name for a in exported.config.accounts] == [
        "contoso-acs",
        "contoso-telesign",
        "contoso-twilio",
    ]
    assert reasons(exported)[:3] == [
        "account 'fabrikam-telesign': not exported with its numbers: provider value 192350003 "
        "is not one smsconf can express",
        "number 447700900123: belongs to no exported account",
        "workstream 'UK Support': not exported: its SMS channel's number is not under an exported "
        "account",
    ]


def test_omissions_head_the_shared_file(example_live: LiveState, tmp_path: Path) -> None:
    live = edited(example_live, "msdyn_liveworkstream", named("UK Support"), msdyn_mode=717210000)
    write(tmp_path / "out", render(export_live(live), LOCAL, "local"))
    shared = (tmp_path / "out" / SHARED_FILE).read_text(encoding="utf-8")
    omitted = "#   - workstream 'UK Support': not exported: msdyn_mode 717210000"
    assert f"{NOT_EXPORTED}\n{omitted}" in shared
    assert "#   CONTOSO_TELESIGN_API_KEY (account 'contoso-telesign')" in shared
    assert yaml.safe_load(shared)["environments"] == {"local": {"target": "local"}}
    assert not (tmp_path / "out" / "workstreams" / "uk-support.yaml").exists()


# --- small parts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "variable"),
    [
        ("contoso-telesign", "CONTOSO_TELESIGN_API_KEY"),
        ("Fabrikam", "FABRIKAM_TELESIGN_API_KEY"),
        ("eu west / 2", "EU_WEST_2_TELESIGN_API_KEY"),
        ("Zürich", "Z_RICH_TELESIGN_API_KEY"),
        ("---", "ACCOUNT_TELESIGN_API_KEY"),
    ],
)
def test_secret_variable_names(account: str, variable: str) -> None:
    assert secret_variable(account) == variable


@pytest.mark.parametrize(
    ("account", "variable"),
    [("contoso-twilio", "CONTOSO_TWILIO_AUTH_TOKEN"), ("Billing", "BILLING_TWILIO_AUTH_TOKEN")],
)
def test_a_twilio_accounts_variable_names_its_auth_token(account: str, variable: str) -> None:
    assert secret_variable(account, "twilio") == variable


def test_workstream_files_get_distinct_slugs(example_live: LiveState) -> None:
    live = edited(example_live, "msdyn_liveworkstream", named("UK Support"), msdyn_name="SMS-sales")
    files = render(export_live(live), LOCAL, None)
    assert slug("SMS Sales") == slug("SMS-sales") == "sms-sales"
    assert {"workstreams/sms-sales.yaml", "workstreams/sms-sales-2.yaml"} <= set(files)


def test_export_refuses_a_directory_that_already_holds_yaml(
    example_live: LiveState, tmp_path: Path
) -> None:
    (tmp_path / "old.yaml").write_text("accounts: []\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="already holds YAML"):
        write(tmp_path, render(export_live(example_live), LOCAL, None))


def test_objects_the_domain_rules_refuse_are_left_out_with_what_needs_them(
    example_live: LiveState,
) -> None:
    exported = exported_after(
        example_live, "msdyn_ocphonenumber", named("55123"), msdyn_type=192350000
    )
    assert [a.name for a in exported.config.accounts] == [
        "contoso-acs",
        "contoso-twilio",
        "fabrikam-telesign",
    ]
    assert [ws.name for ws in exported.config.workstreams] == [
        "SMS Billing",
        "SMS Orders",
        "UK Support",
    ]
    assert reasons(exported) == [
        "account 'contoso-telesign': not exported: a geo number has 7 to 15 digits; '55123' has 5",
        "workstream 'SMS Sales': not exported: number 18005550199 is not listed under any account",
        "workstream 'SMS Support': not exported: number 14255550100 is not listed under any "
        "account",
    ]
    assert check(exported.config) == []
