"""FetchXML on an entity set, as "Use FetchXml with the Web API" and the FetchXML pages say."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
import pytest
from tests.emulator.dataverse.conftest import create, error_of

QUEUES = "queues"
HOURS = "msdyn_operatinghours"
ALL = {"Prefer": 'odata.include-annotations="*"'}


@pytest.fixture
async def queues(client: httpx.AsyncClient) -> dict[str, str]:
    hours = await create(client, HOURS, {"msdyn_name": "Weekdays"})
    ids = {}
    for name, priority, kind in [
        ("fx-alpha", 1, 192350000),
        ("fx-beta", 2, 192350000),
        ("fx-gamma", 3, 192350001),
        ("fx-delta", None, 192350000),
        ("other", 5, 192350000),
    ]:
        body: dict[str, object] = {"name": name, "msdyn_queuetype": kind}
        if priority is not None:
            body["msdyn_priority"] = priority
        if name in ("fx-alpha", "fx-gamma"):
            body["msdyn_operatinghourid@odata.bind"] = f"/{HOURS}({hours})"
        ids[name] = await create(client, QUEUES, body)
    ids["hours"] = hours
    return ids


async def _fetch(
    client: httpx.AsyncClient, xml: str, headers: dict[str, str] | None = None, **extra: str
) -> httpx.Response:
    return await client.get(QUEUES, params={"fetchXml": xml, **extra}, headers=headers)


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["value"]]


FX = "<condition attribute='name' operator='like' value='fx-%'/>"


async def test_attributes_filter_and_order_are_run(
    client: httpx.AsyncClient, queues: dict[str, str]
) -> None:
    response = await _fetch(
        client,
        f"<fetch><entity name='queue'><attribute name='name'/><attribute name='msdyn_priority'/>"
        f"<filter>{FX}</filter><order attribute='name' descending='true'/></entity></fetch>",
    )
    assert _names(response) == ["fx-gamma", "fx-delta", "fx-beta", "fx-alpha"]
    rows = response.json()["value"]
    # Null properties are left out; the primary key and the ETag are always there.
    assert set(rows[1]) == {"@odata.etag", "name", "queueid"}
    assert rows[0]["msdyn_priority"] == 3
    assert response.json()["@odata.context"].endswith("#queues(name,msdyn_priority)")


def _c(attribute: str, operator: str, *values: str) -> str:
    """A condition element: one value as an attribute, several as value elements."""
    if not values:
        return f"<condition attribute='{attribute}' operator='{operator}'/>"
    if len(values) == 1:
        return f"<condition attribute='{attribute}' operator='{operator}' value='{values[0]}'/>"
    inner = "".join(f"<value>{v}</value>" for v in values)
    return f"<condition attribute='{attribute}' operator='{operator}'>{inner}</condition>"


P = "msdyn_priority"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (_c(P, "eq", "2"), ["fx-beta"]),
        (_c(P, "ne", "2"), ["fx-alpha", "fx-delta", "fx-gamma"]),
        (_c(P, "gt", "1"), ["fx-beta", "fx-gamma"]),
        (_c(P, "ge", "2"), ["fx-beta", "fx-gamma"]),
        (_c(P, "lt", "2"), ["fx-alpha"]),
        (_c(P, "le", "2"), ["fx-alpha", "fx-beta"]),
        (_c("name", "not-like", "%a"), []),
        (_c("name", "like", "FX-_ETA"), ["fx-beta"]),
        (_c(P, "in", "1", "3"), ["fx-alpha", "fx-gamma"]),
        (_c(P, "not-in", "1", "2"), ["fx-gamma"]),
        (_c(P, "null"), ["fx-delta"]),
        (_c(P, "not-null"), ["fx-alpha", "fx-beta", "fx-gamma"]),
        (_c("name", "begins-with", "FX-B"), ["fx-beta"]),
        (_c("name", "ends-with", "ta"), ["fx-beta", "fx-delta"]),
        (_c("name", "not-begin-with", "fx-b"), ["fx-alpha", "fx-delta", "fx-gamma"]),
        (_c(P, "between", "2", "3"), ["fx-beta", "fx-gamma"]),
        (_c("msdyn_queuetype", "eq", "192350001"), ["fx-gamma"]),
        (f"<filter type='or'>{_c(P, 'eq', '1')}{_c(P, 'null')}</filter>", ["fx-alpha", "fx-delta"]),
    ],
)
async def test_condition_operators(
    client: httpx.AsyncClient, queues: dict[str, str], condition: str, expected: list[str]
) -> None:
    xml = (
        f"<fetch><entity name='queue'><attribute name='name'/><filter>{FX}{condition}</filter>"
        "<order attribute='name'/></entity></fetch>"
    )
    assert _names(await _fetch(client, xml)) == expected


async def test_lookup_conditions_take_guids_with_or_without_braces(
    client: httpx.AsyncClient, queues: dict[str, str]
) -> None:
    hours = queues["hours"].upper()
    for value in (hours, "{" + hours + "}"):
        xml = (
            "<fetch><entity name='queue'><attribute name='name'/><filter>"
            f"<condition attribute='msdyn_operatinghourid' operator='eq' value='{value}'/>"
            "</filter><order attribute='name'/></entity></fetch>"
        )
        assert _names(await _fetch(client, xml)) == ["fx-alpha", "fx-gamma"]


async def test_link_entity_inner_and_outer_with_alias(
    client: httpx.AsyncClient, queues: dict[str, str]
) -> None:
    link = (
        "<link-entity name='msdyn_operatinghour' from='msdyn_operatinghourid' "
        "to='msdyn_operatinghourid' alias='oh' link-type='{kind}'>"
        "<attribute name='msdyn_name'/></link-entity>"
    )
    for kind, expected in [
        ("inner", ["fx-alpha", "fx-gamma"]),
        ("outer", ["fx-alpha", "fx-beta", "fx-delta", "fx-gamma"]),
    ]:
        xml = (
            f"<fetch><entity name='queue'><attribute name='name'/><filter>{FX}</filter>"
            f"<order attribute='name'/>{link.format(kind=kind)}</entity></fetch>"
        )
        response = await _fetch(client, xml)
        assert _names(response) == expected
        rows = {r["name"]: r for r in response.json()["value"]}
        assert rows["fx-alpha"]["oh.msdyn_name"] == "Weekdays"
    filtered = (
        "<fetch><entity name='queue'><attribute name='name'/>"
        "<link-entity name='msdyn_operatinghour' from='msdyn_operatinghourid' "
        "to='msdyn_operatinghourid'><filter>"
        "<condition attribute='msdyn_name' operator='eq' value='weekdays'/></filter>"
        "</link-entity><filter>" + FX + "</filter><order attribute='name'/></entity></fetch>"
    )
    assert _names(await _fetch(client, filtered)) == ["fx-alpha", "fx-gamma"]
    # A condition of the entity's filter may name a link-entity declared after it.
    by_alias = (
        "<fetch><entity name='queue'><attribute name='name'/><filter>" + FX
        + _c("msdyn_name", "eq", "Weekdays").replace("<condition ", "<condition entityname='h' ")
        + "</filter><order attribute='name'/><link-entity name='msdyn_operatinghour' "
        "from='msdyn_operatinghourid' to='msdyn_operatinghourid' alias='h' link-type='outer'/>"
        "</entity></fetch>"
    )  # fmt: skip
    assert _names(await _fetch(client, by_alias)) == ["fx-alpha", "fx-gamma"]


async def test_paging_with_cookie_and_more_records(
    client: httpx.AsyncClient, queues: dict[str, str]
) -> None:
    seen: list[str] = []
    page, cookie = 1, None
    while True:
        attributes = f"count='3' page='{page}'"
        if cookie:
            escaped = cookie.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            attributes += f' paging-cookie="{escaped}"'
        xml = (
            f"<fetch {attributes}><entity name='queue'><attribute name='name'/>"
            f"<filter>{FX}</filter><order attribute='name'/></entity></fetch>"
        )
        body = (await _fetch(client, xml, ALL)).json()
        seen += [r["name"] for r in body["value"]]
        if not body.get("@Microsoft.Dynamics.CRM.morerecords"):
            assert "@Microsoft.Dynamics.CRM.fetchxmlpagingcookie" not in body
            break
        outer = body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"]
        assert outer.startswith(f'<cookie pagenumber="{page + 1}" pagingcookie="%253ccookie')
        cookie = unquote(unquote(outer.split('pagingcookie="')[1].split('"')[0]))
        assert cookie.startswith(f'<cookie page="{page}"><queueid last="{{')
        page += 1
    assert seen == ["fx-alpha", "fx-beta", "fx-delta", "fx-gamma"]


async def test_paging_annotations_only_when_asked(
    client: httpx.AsyncClient, queues: dict[str, str]
) -> None:
    xml = "<fetch count='1'><entity name='queue'><attribute name='name'/></entity></fetch>"
    body = (await _fetch(client, xml)).json()
    assert len(body["value"]) == 1
    assert not [k for k in body if k.startswith("@Microsoft")]
    only_more = {"Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.morerecords"'}
    response = await _fetch(client, xml, only_more)
    assert response.headers["Preference-Applied"] == (
        'odata.include-annotations="Microsoft.Dynamics.CRM.morerecords"'
    )
    assert [k for k in response.json() if k.startswith("@Microsoft")] == [
        "@Microsoft.Dynamics.CRM.morerecords"
    ]


async def test_total_record_count(client: httpx.AsyncClient, queues: dict[str, str]) -> None:
    xml = (
        "<fetch count='2' returntotalrecordcount='true'><entity name='queue'>"
        f"<attribute name='name'/><filter>{FX}</filter></entity></fetch>"
    )
    body = (await _fetch(client, xml, ALL)).json()
    assert body["@odata.count"] == 4
    assert body["@Microsoft.Dynamics.CRM.totalrecordcount"] == 4
    assert body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] is False
    plain = _q(f"<attribute name='name'/><filter>{FX}</filter>")
    assert (await _fetch(client, plain, **{"$count": "true"})).json()["@odata.count"] == 4


async def test_top_and_all_attributes(client: httpx.AsyncClient, queues: dict[str, str]) -> None:
    xml = (
        f"<fetch top='2'><entity name='queue'><all-attributes/><filter>{FX}</filter>"
        "<order attribute='name'/></entity></fetch>"
    )
    rows = (await _fetch(client, xml)).json()["value"]
    assert [r["name"] for r in rows] == ["fx-alpha", "fx-beta"]
    assert rows[0]["_msdyn_operatinghourid_value"] == queues["hours"]


async def test_aggregates_and_groupby(client: httpx.AsyncClient, queues: dict[str, str]) -> None:
    xml = (
        "<fetch aggregate='true'><entity name='queue'>"
        "<attribute name='queueid' alias='rows' aggregate='count'/>"
        "<attribute name='msdyn_priority' alias='with_priority' aggregate='countcolumn'/>"
        "<attribute name='msdyn_priority' alias='total' aggregate='sum'/>"
        "<attribute name='msdyn_priority' alias='mean' aggregate='avg'/>"
        "<attribute name='msdyn_priority' alias='low' aggregate='min'/>"
        "<attribute name='msdyn_priority' alias='high' aggregate='max'/>"
        f"<filter>{FX}</filter></entity></fetch>"
    )
    response = await _fetch(client, xml)
    assert response.status_code == 200, response.text
    assert response.json()["value"] == [
        {"rows": 4, "with_priority": 3, "total": 6, "mean": 2, "low": 1, "high": 3}
    ]
    grouped = (
        "<fetch aggregate='true'><entity name='queue'>"
        "<attribute name='msdyn_queuetype' alias='kind' groupby='true'/>"
        "<attribute name='queueid' alias='n' aggregate='count'/>"
        f"<filter>{FX}</filter><order alias='n' descending='true'/></entity></fetch>"
    )
    response = await _fetch(client, grouped, ALL)
    value = response.json()["value"]
    assert [(v["kind"], v["n"]) for v in value] == [
        (192350000, 3),
        (192350001, 1),
    ]
    assert value[0]["kind@OData.Community.Display.V1.FormattedValue"] == "Messaging"
    assert value[0]["n@OData.Community.Display.V1.FormattedValue"] == "3"


def _q(inner: str, fetch: str = "") -> str:
    return f"<fetch{fetch}><entity name='queue'>{inner}</entity></fetch>"


_HOURS_LINK = (
    "<link-entity name='msdyn_operatinghour' from='msdyn_operatinghourid' "
    "to='msdyn_operatinghourid' link-type='exists'/>"
)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (_q("<attribute name='nope'/>"), "doesn't contain attribute with Name = 'nope'"),
        ("<fetch><entity name='account'/></fetch>", "does not match the entity set"),
        ("<fetch><entity name='queue'>", "Invalid XML"),
        (_q(f"<filter>{_c('createdon', 'last-x-days', '3')}</filter>"), "'last-x-days' is not"),
        (_q("", " top='2' count='2'"), "'top' attribute can't be used"),
        (_q("<attribute name='name' aggregate='count'/>", " aggregate='true'"), "needs an 'alias'"),
        (
            _q("<attribute name='name' alias='s' aggregate='sum'/>", " aggregate='true'"),
            "not valid for the string column",
        ),
        (_q(_HOURS_LINK), "link-type 'exists' is not supported"),
        (_q("", " latematerialize='true'"), "'latematerialize' is not supported"),
        (
            _q("<filter><condition attribute='name' operator='eq' valueof='name'/></filter>"),
            "valueof",
        ),
        ("<!DOCTYPE x [<!ENTITY a 'b'>]><fetch><entity name='queue'/></fetch>", "DOCTYPE"),
    ],
)
async def test_what_is_not_run_is_refused(
    client: httpx.AsyncClient, xml: str, message: str
) -> None:
    status, _, text = error_of(await _fetch(client, xml))
    assert status == 400
    assert message in text


async def test_fetch_xml_with_other_query_options_is_refused(client: httpx.AsyncClient) -> None:
    xml = "<fetch><entity name='queue'/></fetch>"
    status, _, text = error_of(await _fetch(client, xml, **{"$select": "name"}))
    assert status == 400
    assert "can't be combined with fetchXml" in text
