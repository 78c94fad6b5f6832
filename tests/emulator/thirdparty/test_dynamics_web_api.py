"""The npm `dynamics-web-api` client (DynamicsWebApi 2.5.0), unmodified, against
`smsconf emulator serve` on loopback: a client nobody here wrote keeps the emulator honest.

The test fails, never skips, when node or the package is missing; `.ci/run` installs the
package pinned by `node/package-lock.json` into `node/node_modules`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
from tests.emulator.dataverse.test_serve import served_by_cli

NODE_DIR = Path(__file__).parent / "node"
PACKAGE = NODE_DIR / "node_modules" / "dynamics-web-api" / "package.json"
VERSION = "2.5.0"


def _installed() -> str:
    node = shutil.which("node")
    assert node, "node is not installed (.ci/run needs node and npm on the machine)"
    assert PACKAGE.exists(), f"dynamics-web-api is not installed: run `npm ci` in {NODE_DIR}"
    version = json.loads(PACKAGE.read_text())["version"]
    assert version == VERSION, f"dynamics-web-api {version} installed, {VERSION} pinned"
    return node


def _hours_to_queues(url: str) -> str:
    """The 1:N navigation from an operating hour to its queues, as the metadata names it."""
    response = httpx.get(
        f"{url}/api/data/v9.2/EntityDefinitions(LogicalName='msdyn_operatinghour')"
        "/OneToManyRelationships",
        headers={"Authorization": "Bearer t"},
        timeout=10,
    )
    rows = [r for r in response.json()["value"] if r["ReferencingEntity"] == "queue"]
    return str(rows[0]["ReferencedEntityNavigationPropertyName"])


def test_dynamics_web_api_flow() -> None:
    node = _installed()
    with served_by_cli(["--port", "0", "--db", ":memory:"]) as (url, _):
        result = subprocess.run(
            [node, str(NODE_DIR / "flow.mjs"), url, _hours_to_queues(url)],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=NODE_DIR,
        )
    steps = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    failed = [f"{s['step']}: {s['detail']}" for s in steps if not s["ok"]]
    assert not failed, "\n\n".join(failed)
    assert result.returncode == 0, result.stderr
    assert len(steps) == 19, [s["step"] for s in steps]
