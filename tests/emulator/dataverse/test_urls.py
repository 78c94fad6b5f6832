"""Resource paths and keys: GUIDs, alternate keys with quotes, absolute and relative URLs."""

from __future__ import annotations

import pytest

from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.urls import Segment, parse_path, relative_path

GUID = "7d577253-3ef0-4a0a-bb7f-8335c2596e70"


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (f"https://org.crm.dynamics.com/api/data/v9.2/queues({GUID})", f"queues({GUID})"),
        (f"/api/data/v9.0/queues({GUID})", f"queues({GUID})"),
        (f"queues({GUID})", f"queues({GUID})"),
        ("/queues(name='a%20b')?$select=name", "queues(name='a b')"),
    ],
)
def test_relative_path(url: str, path: str) -> None:
    assert relative_path(url) == path


def test_segments_with_keys() -> None:
    assert parse_path(f"queues({GUID.upper()})/msdyn_nav/$ref") == [
        Segment("queues", GUID),
        Segment("msdyn_nav"),
        Segment("$ref"),
    ]
    assert parse_path("x(a='O''Brien/1',b=2)") == [Segment("x", {"a": "O'Brien/1", "b": 2})]
    assert parse_path(f"x({{{GUID}}})")[0].key == GUID


@pytest.mark.parametrize("path", ["queues(nope)", "queues(a='x' b=1)", "queues(a='x',)x"])
def test_bad_keys_are_400(path: str) -> None:
    with pytest.raises(DataverseError) as caught:
        parse_path(path)
    assert caught.value.status == 400
