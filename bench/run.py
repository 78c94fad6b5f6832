"""Benchmark: request counts, time and memory of smsconf from 10 to 1,000 workstreams, side by
side with a per-record baseline, against the Dataverse emulator served over loopback with an
injected per-request latency.

    python bench/run.py [--sizes 10,100,1000] [--latency-ms 50] [--repeat 5] [--json OUT]

Prints a table, the fitted exponents and each target's verdict; the last line is
`targets met: K/N`. The exit status is 0 whatever the verdicts (the figures are the output).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchkit.report import document, exponents, table, verdicts
from benchkit.runner import run_size

LEGEND = """\
req, retry, KB: Dataverse requests, retries and body bytes, as the client counted them
s: wall time after start-up; proc s: the whole command; cpu s: its CPU time
  (validate, plan and export run --repeat times: the median run by proc s is shown)
srv cpu: the emulators' CPU meanwhile; RSS MB: the command's peak resident memory
tw req: requests the Twilio emulator answered (its accounts' and numbers' checks, inbound URLs)
acs+arm: requests the ACS emulator answered: data plane (key, numbers) + ARM (Event Grid)
base req, base s: the per-record baseline doing the same work; ratio: base req / req"""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    return {
        "cpus": os.cpu_count(),
        "memory": memory.strip(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def byte_compile() -> None:
    """Byte-compile smsconf and the benchmark's steps first, as a regular `pip install` does.

    Each command runs in a fresh process; where `PYTHONDONTWRITEBYTECODE` is set (CI images,
    this machine) an editable checkout would otherwise be compiled from source by every one of
    them (~0.1 s each), which is not what a user's installed smsconf costs.
    """
    import smsconf

    for package in (Path(smsconf.__file__).parent, Path(__file__).parent / "benchkit"):
        compileall.compile_dir(package, quiet=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated workstream counts")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added to every request")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each read-only step; the median is shown"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1:
        parser.error("--sizes takes positive integers, e.g. 10,100,1000")
    if args.repeat < 1:
        parser.error("--repeat takes a positive integer")
    where = machine()
    byte_compile()
    print(
        f"smsconf benchmark: sizes {sizes}, {args.latency_ms:g} ms per request, "
        f"{where['cpus']} CPUs, Python {where['python']}",
        flush=True,
    )
    results = []
    for n in sizes:
        results.append(
            run_size(n, args.latency_ms, log=lambda s: print(s, flush=True), repeat=args.repeat)
        )
        if args.json:  # after each size, so a long run that is stopped keeps what it measured
            document_ = document(results, where, args.latency_ms)
            args.json.write_text(json.dumps(document_, indent=2), encoding="utf-8")
    print()
    print(table(results))
    print(LEGEND)
    print("\nfitted exponent of cost against N (log-log slope):")
    for scenario, fitted in exponents(results).items():
        shown = ", ".join(
            f"{name} {value:.2f}" for name, value in fitted.items() if value is not None
        )
        print(f"  {scenario:<20} {shown or 'needs two sizes'}")
    judged = verdicts(results)
    print()
    for verdict in judged:
        print(f"  [{'met' if verdict.met else 'MISSED'}] {verdict.name}: {verdict.figure}")
    if args.json:
        print(f"\nfigures written to {args.json}")
    print(f"targets met: {sum(v.met for v in judged)}/{len(judged)}")


if __name__ == "__main__":
    sys.exit(main())
