"""The emulator is Microsoft's schema, not smsconf's: it refuses what the pages refuse.

Each request here is one a client holding a wrong belief would send; the facts come from the
committed snapshot (`platform/snapshot.json`, generated from the pages), so a wrong name in
`platform/tables.py` can no longer pass because the emulator agrees with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from tests.emulator.dataverse.conftest import API, AUTH, create, error_of

from smsconf.cli import main
from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.schema import default_schema, load_schema
from smsconf.platform.snapshot import load_snapshot

PROFILES = "msdyn_capacityprofiles"
LINKS = "msdyn_liveworkstreamcapacityprofiles"
WORKSTREAMS = "msdyn_liveworkstreams"


def test_every_page_column_is_served_and_nothing_else() -> None:
    schema = default_schema()
    for page in load_snapshot().tables():
        if page.entity_set is None:
            continue
        table = schema.tables[page.logical_name]
        served = {c.logical_name for c in table.columns}
        assert served <= {a.logical_name for a in page.attributes()} | {page.primary_id}
        for column in table.columns:
            attribute = page.attribute(column.logical_name)
            if attribute is not None and attribute.max_length is not None:
                assert column.max_length in (attribute.max_length, None)
            if attribute is not None and attribute.option_values:
                assert attribute.option_values <= column.option_values()


@pytest.mark.parametrize(
    ("entity_set", "select", "column"),
    [
        # the audit's worst: no msdyn_name on localization rows, no state on users
        ("msdyn_oclocalizationdatas", "msdyn_name", "msdyn_name"),
        ("systemusers", "fullname,statecode", "statecode"),
    ],
)
async def test_a_column_no_page_lists_is_refused(
    client: httpx.AsyncClient, entity_set: str, select: str, column: str
) -> None:
    status, code, message = error_of(await client.get(entity_set, params={"$select": select}))
    assert (status, code) == (400, "0x80060888")
    assert f"Could not find a property named '{column}'" in message


async def test_a_bind_in_the_wrong_case_is_refused(client: httpx.AsyncClient) -> None:
    profile = await create(client, PROFILES, {"msdyn_name": "Default"})
    wrong = {"msdyn_capacityprofile_id@odata.bind": f"/{PROFILES}({profile})"}
    status, code, message = error_of(await client.post(LINKS, json=wrong))
    assert (status, code) == (400, "0x80048d19")
    assert "An undeclared property 'msdyn_capacityprofile_id'" in message
    right = {"msdyn_capacityProfile_id@odata.bind": f"/{PROFILES}({profile})"}
    link = await create(client, LINKS, right)
    row = (await client.get(f"{LINKS}({link})")).json()
    assert row["_msdyn_capacityprofile_id_value"] == profile


async def test_lengths_and_options_are_the_pages(client: httpx.AsyncClient) -> None:
    too_long = await client.post(WORKSTREAMS, json={"msdyn_bot_rule": "x" * 101})
    assert error_of(too_long)[:2] == (400, "0x80040203")
    await create(client, WORKSTREAMS, {"msdyn_bot_rule": "x" * 100})
    # 2057 (English, UK) is no option of the quick-reply locale column
    refused = await client.post(
        "msdyn_cannedmessages", json={"msdyn_title": "Hi", "msdyn_locale_field": 2057}
    )
    assert error_of(refused)[:2] == (400, "0x8004431a")
    sms = await create(client, WORKSTREAMS, {"msdyn_streamsource": 192340000})
    assert sms


async def test_a_column_not_valid_for_update_is_ignored(client: httpx.AsyncClient) -> None:
    """ "The system will ignore any attribute values that are not allowed for create or update"
    (the CRM team's blog; IsValidForUpdate False on the page)."""
    row_id = await create(
        client, "msdyn_ocphonenumbers", {"msdyn_name": "n", "importsequencenumber": 4}
    )
    answer = await client.patch(
        f"msdyn_ocphonenumbers({row_id})", json={"importsequencenumber": 9, "msdyn_name": "m"}
    )
    assert answer.status_code == 204
    row = (await client.get(f"msdyn_ocphonenumbers({row_id})")).json()
    assert (row["importsequencenumber"], row["msdyn_name"]) == (4, "m")


async def test_a_user_name_is_derived_not_written(client: httpx.AsyncClient) -> None:
    user = await create(client, "systemusers", {"lastname": "Bot", "fullname": "ignored"})
    assert (await client.get(f"systemusers({user})")).json()["fullname"] == "Bot"


def _small_snapshot(tmp_path: Path) -> Path:
    data = load_snapshot().data
    kept = {"queue", "systemuser"}
    small = {
        **data,
        "tables": {k: v for k, v in data["tables"].items() if k in kept},
        "many_to_many": [],
    }
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small), "utf-8")
    return path


async def test_another_snapshot_is_another_organisation(tmp_path: Path) -> None:
    app = create_app(schema=load_schema(_small_snapshot(tmp_path)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH) as client:
        assert (await client.get("queues")).status_code == 200
        assert (await client.get(WORKSTREAMS)).status_code == 404
        names = {e["LogicalName"] for e in (await client.get("EntityDefinitions")).json()["value"]}
        assert {"queue", "systemuser"} <= names and "msdyn_liveworkstream" not in names
    app.close()


def test_a_file_that_is_no_snapshot_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1}', "utf-8")
    with pytest.raises(ValueError, match=r"bad\.json is not a schema snapshot: missing 'tables'"):
        load_schema(bad)
    result = CliRunner().invoke(
        main, ["emulator", "serve", "--db", ":memory:", "--schema", str(bad)]
    )
    assert result.exit_code == 1  # an error, not a usage error (2 means "changes" here)
    assert "is not a schema snapshot" in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
