"""Where a benchmark step's time goes: cProfile of one step against a served organisation.

    python bench/profile_step.py STEP [--size 1000] [--changed] [--latency-ms 50] [--sort tottime]
                            [--top 40]

Serves a fresh organisation of `--size` workstreams as the benchmark does, applies it (so
`plan` and `export` read a full org; skipped for `apply` itself), optionally switches to the
"1% changed" configuration, then runs STEP in this process under cProfile and prints the
functions that took longest. The emulator answers from other threads, which cProfile does not
see: its time shows as waiting in `select`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from benchkit.orggen import acs_resources, telesign_accounts, twilio_accounts, write_org
from benchkit.runner import in_process, in_subprocess
from benchkit.servers import serve_orgs
from benchkit.steps import STEPS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--size", type=int, default=1000, help="workstreams")
    parser.add_argument("--changed", action="store_true", help="the 1%% changed configuration")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key (cumulative, ...)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smsconf-profile-") as tmp:
        work = Path(tmp)
        accounts = telesign_accounts(args.size)
        twilio = twilio_accounts(args.size)
        acs = acs_resources(args.size)
        with serve_orgs(work, ("smsconf",), accounts, args.latency_ms, twilio, acs) as servers:
            url = servers.orgs["smsconf"].url
            where = (servers.telesign_url, servers.twilio_url, servers.acs_url)
            org = write_org(work / "config", args.size, *where)
            if args.step != "apply":
                in_subprocess("apply", url, org.paths, work)
            if args.changed:
                org = write_org(work / "config", args.size, *where, changed=True)
            profile = cProfile.Profile()
            profile.runcall(in_process, args.step, url, org.paths, work)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
