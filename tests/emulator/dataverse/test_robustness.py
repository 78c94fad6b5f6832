"""Generated bad input never gets a 500 or a traceback: bodies, paths and query options."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.emulator.dataverse.conftest import API, AUTH, create

from smsconf.emulator.dataverse import create_app
from smsconf.emulator.dataverse.seed import DEFAULT_QUEUE_NAME, seed_id
from smsconf.platform import TABLES

WORKSTREAM = TABLES["msdyn_liveworkstream"]
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
_keys = st.sampled_from(
    [c.logical_name for c in WORKSTREAM.columns]
    + [f"{c.navigation}@odata.bind" for c in WORKSTREAM.lookups()]
    + ["msdyn_nope", "@odata.type", "msdyn_name@odata.bind", "x@y"]
)
_bodies = st.dictionaries(_keys, _json_values, max_size=4)
_segments = st.sampled_from(
    [
        "msdyn_liveworkstreams",
        "msdyn_liveworkstreams(",
        "msdyn_liveworkstreams()",
        "msdyn_liveworkstreams(msdyn_name='x')",
        "msdyn_liveworkstreams(00000000-0000-0000-0000-0)",
        "msdyn_msdyn_cannedmessage_liveworkstream",
        "$ref",
        "$1",
        "$batch",
        "WhoAmI",
        "EntityDefinitions(LogicalName='x')",
        "Keys",
        "Microsoft.Dynamics.CRM.CreateMultiple",
        "msdyn_name",
        "%27",
        "..",
        "BulkDelete",
        "sdkmessagefilters",
    ]
)
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# One workstream with a value in every kind of column, so predicates are evaluated on a row.
_WORKSTREAM_ROW = {
    "msdyn_name": "w",
    "msdyn_capacityrequired": 1,
    "msdyn_enableagentaffinity": True,
    "msdyn_defaultqueue@odata.bind": f"/queues({seed_id('queue', DEFAULT_QUEUE_NAME)})",
}


async def _send(
    method: str, path: str, body: bytes, params: dict[str, str] | None = None
) -> httpx.Response:
    app = create_app()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=API, headers=AUTH) as http:
            await create(http, "msdyn_liveworkstreams", _WORKSTREAM_ROW)
            return await http.request(
                method,
                path,
                content=body,
                params=params,
                headers={"Content-Type": "application/json"},
            )
    finally:
        app.close()


def _assert_documented(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message"}


@_SETTINGS
@given(method=st.sampled_from(["POST", "PATCH"]), body=_bodies)
async def test_generated_bodies(method: str, body: dict[str, object]) -> None:
    path = "msdyn_liveworkstreams"
    if method == "PATCH":
        path += "(00000000-0000-0000-0000-000000000001)"
    _assert_documented(await _send(method, path, json.dumps(body).encode()))


@_SETTINGS
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE"]),
    segments=st.lists(_segments, min_size=1, max_size=3),
    body=st.binary(max_size=20) | _bodies.map(lambda b: json.dumps(b).encode()),
)
async def test_generated_paths(method: str, segments: list[str], body: bytes) -> None:
    _assert_documented(await _send(method, "/".join(segments), body))


@_SETTINGS
@given(
    options=st.dictionaries(
        st.sampled_from(
            ["$select", "$filter", "$orderby", "$top", "$expand", "$count", "$skiptoken"]
        ),
        st.text(alphabet="msdyn_ame,()$=;'0123456789 ascdeq", max_size=20),
        max_size=3,
    )
)
async def test_generated_query_options(options: dict[str, str]) -> None:
    _assert_documented(await _send("GET", "msdyn_liveworkstreams", b"", options))


_FILTER_TOKENS = st.sampled_from(
    [
        "msdyn_name",
        "msdyn_capacityrequired",
        "msdyn_enableagentaffinity",
        "createdon",
        "_msdyn_defaultqueue_value",
        "msdyn_defaultqueue/name",
        "msdyn_nope",
        "msdyn_defaultqueue",
        "eq",
        "ne",
        "gt",
        "le",
        "and",
        "or",
        "not",
        "in",
        "add",
        "(",
        ")",
        ",",
        "[",
        "]",
        "'x'",
        "'O''B'",
        "1",
        "2.5",
        "-3",
        "true",
        "null",
        "2024-01-01T00:00:00Z",
        "2024-01-01",
        "00000000-0000-0000-0000-000000000001",
        "contains(",
        "startswith(",
        "tolower(",
        "Microsoft.Dynamics.CRM.In(",
        "Microsoft.Dynamics.CRM.NotIn(",
        "Microsoft.Dynamics.CRM.Today(",
        "PropertyName=",
        "PropertyValues=",
        "any(",
        "x:",
        "x/msdyn_name",
    ]
)


@_SETTINGS
@given(tokens=st.lists(_FILTER_TOKENS, min_size=1, max_size=9))
async def test_generated_filter_token_soup(tokens: list[str]) -> None:
    expression = " ".join(tokens)
    _assert_documented(await _send("GET", "msdyn_liveworkstreams", b"", {"$filter": expression}))
