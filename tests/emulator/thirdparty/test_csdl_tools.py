"""The OASIS OData TC's `odata-csdl` (strict CSDL XML reader) and `odata-openapi` (CSDL to
OpenAPI, the way code generators consume a service), unmodified, over the emulator's served
`$metadata`: no message from either, and the generated API has the entity sets smsconf uses.

Fails, never skips, when node or the packages are missing (`.ci/run` runs `npm ci`)."""

from __future__ import annotations

import json
import subprocess

from tests.emulator.dataverse.test_serve import served_by_cli
from tests.emulator.thirdparty.test_dynamics_web_api import NODE_DIR, _installed

PACKAGES = ("odata-csdl", "odata-openapi")


def test_oasis_tools_read_the_metadata_and_generate_an_api() -> None:
    node = _installed()
    for package in PACKAGES:
        assert (NODE_DIR / "node_modules" / package / "package.json").exists(), package
    with served_by_cli(["--port", "0", "--db", ":memory:"]) as (url, _):
        done = subprocess.run(
            [node, str(NODE_DIR / "csdl.mjs"), url],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=NODE_DIR,
        )
    assert done.returncode == 0, done.stderr
    (report,) = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert report["status"] == 200
    assert report["messages"] == []
    paths = set(report["paths"])
    for entity_set in ("queues", "msdyn_liveworkstreams", "msdyn_occommunicationprovidersettings"):
        assert f"/{entity_set}" in paths, entity_set
    assert "/queues({queueid})" in paths
    assert any(s.endswith(".queue") for s in report["schemas"]), report["schemas"][:5]
