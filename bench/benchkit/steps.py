"""The measured commands, each one run as its own process: `python -m benchkit.steps STEP ...`.

smsconf's steps do what the CLI commands do (`validate`; `plan`; `apply --auto-approve`;
`export`) through
the same library calls, against an organisation URL, and report the Dataverse client's own
request accounting. The `baseline-*` steps do the same reads and writes the way a generic
per-record tool does: one GET per row to refresh, one request per create, update or
association, through the same `DataverseClient` and emulator. What the baseline reads and
writes is taken from smsconf itself (the rows the configuration manages, the plan's changes)
before its meter starts, so both sides move exactly the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from smsconf.process import burst, one_command

Result = dict[str, Any]
NETWORK_STEP_NAMES = ("plan", "apply", "export", "baseline-plan", "baseline-apply")
STEPS = ("validate", *NETWORK_STEP_NAMES)


def run_step(name: str, url: str, paths: list[str]) -> Result:
    """One step, measured: request counters (none for validate) and in-process seconds.

    Imports happen here, per step, so each process loads what the matching command loads."""
    if name == "validate":
        from smsconf.config import validate_paths

        started = time.perf_counter()
        configs = validate_paths(paths, burst=burst)
        workstreams = len(next(iter(configs.values())).workstreams)
        return {"workstreams": workstreams, "seconds": time.perf_counter() - started}
    from benchkit.network import run_network_step

    return asyncio.run(run_network_step(name, url, paths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--url", default="")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    one_command()  # as the smsconf executable does
    result = run_step(args.step, args.url, args.paths)
    args.out.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
