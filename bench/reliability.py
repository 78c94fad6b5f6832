"""Reliability figures: the long versions of tests/reliability, run outside pytest.

    python bench/reliability.py [--runs N] [--seed S] [--org-runs M] [--workstreams W]
                                [--inputs K]

1. Hostile configuration: the fixed corpus and K hypothesis-generated inputs, each through
   `validate` and `plan` (forked, time- and memory-capped): contract violations, tracebacks.
2. Secrets: the whole user journey with known secrets in the environment, every output and
   file scanned (clear and base64); a broken key named by account, never by value.
3. Fault convergence: N seeded runs applying examples/ and M runs applying a generated
   W-workstream organisation, each under ~20% injected faults (429 + Retry-After, 503, drops
   before and after commit, answers slower than the client timeout), apply repeated until it
   succeeds (at most 5 times), then audited: no changes left, no duplicates, nothing lost, no
   unmanaged row touched.
4. The saved plan attacked: every forgery of tools/testkit/redteam.py (a plan file edited
   and re-checksummed: bodies, ETags, injected deletes, cleared verdicts, widened allowances,
   secret columns, order, links, and the create race) applied through the CLI; each must be
   refused with its exit code, name what differs, and leave every row at its version.
5. The pull request attacked: every case of tools/testkit/pull_request.py (a configuration that
   sends a secret to its author's host, reads a file or variable of the job, or moves the
   inbound gateway), played in a CI job's environment against a loopback listener; each must be
   refused with its exit code, located, with no byte sent and no secret printed.
6. A hostile organisation (tools/testkit/hostile_org.py): rows of any shape written into an
   applied organisation's store, then plan in four formats, apply, plan, drift and export,
   each to end with a documented outcome; and database files that are not one, for `plan`
   and `emulator serve --db`, each to be one clear line. (Section 1's corpus holds issue 21's
   hostile names and values.)

The last line is `runs R, faults F, duplicates D, lost L, tracebacks T, secret leaks S,
red-team refused K/N, hostile org survived H/M` (K/N: sections 4 and 5 together). Exit status
1 when any of D, L, T, S is not zero, a run did not converge, an attack was not refused or a
hostile-org command failed, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the harness it shares with the suite: tools/testkit

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from tools.testkit import pull_request  # noqa: E402
from tools.testkit.convergence import (  # noqa: E402
    FAULT_RATE_EACH,
    GENERATED_TIMING,
    RunResult,
    converge,
    generated_org,
)
from tools.testkit.hostile import CORPUS, INPUTS, Verdict, check, check_generated  # noqa: E402
from tools.testkit.hostile_org import (  # noqa: E402
    NOT_A_DATABASE,
    against_bad_database,
    against_hostile_rows,
    one_clear_line,
    run,
)
from tools.testkit.redteam import play_all  # noqa: E402
from tools.testkit.secrets_journey import (  # noqa: E402
    keyed_accounts,
    left_behind,
    logged_journey,
    scan,
    with_broken_key,
)
from tools.testkit.served import start_served  # noqa: E402
from tools.testkit.workspace import make_workspace  # noqa: E402


def say(text: str) -> None:
    print(text, flush=True)


def hostile_inputs(work: Path, examples: int, seed: int) -> list[Verdict]:
    """The corpus once, then `examples` generated inputs; a verdict per command per input."""
    verdicts: list[Verdict] = []
    for name, build in CORPUS.items():
        directory = work / f"corpus-{len(verdicts)}"
        directory.mkdir()
        verdicts += check(build(directory), directory / "home", name)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(INPUTS)
    def generated(content: bytes) -> None:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            path = Path(tmp) / "generated.yaml"
            path.write_bytes(content)
            verdicts.extend(check_generated(path, Path(tmp) / "home", "generated"))

    generated()
    return verdicts


def secrets_journey(work: Path) -> tuple[int, int, int, int]:
    """(commands run, leaks found, tracebacks, commands with an unexpected exit code)."""
    work.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp, ExitStack() as stack:
        ws = make_workspace(work, mp)
        org = start_served(ws, stack, keyed_accounts())
        steps = logged_journey(org)
        found = scan(steps, left_behind(org))
        broken = with_broken_key(org, "json")
    found += scan(broken, [])
    unnamed = sum("contoso-telesign" not in s.result.output for s in broken)
    for leak in found:
        say(f"  LEAK {leak}")
    unexpected = sum(not s.as_expected for s in steps + broken)
    tracebacks = sum(s.traceback for s in steps)
    return len(steps) + len(broken), len(found) + unnamed, tracebacks, unexpected


def hostile_organisation(work: Path) -> tuple[int, int, int]:
    """(commands that ended as documented, commands run, tracebacks) of section 5."""
    outcomes = []
    for name in ("rows", *NOT_A_DATABASE):
        (work / name.replace(" ", "-")).mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        ws = make_workspace(work / "rows", mp)
        setup = run(ws, "apply", "examples/", "--auto-approve")  # the organisation to corrupt
        outcomes.append((setup, setup.exit_code == 0))
        outcomes += [(o, o.ok) for o in against_hostile_rows(ws)]
        for name, content in NOT_A_DATABASE.items():
            bad = make_workspace(work / name.replace(" ", "-"), mp)
            outcomes += [(o, one_clear_line(o)) for o in against_bad_database(bad, content)]
    for outcome, ok in outcomes:
        if not ok:
            what = " ".join(outcome.args)
            say(f"  FAILED {what}: exit {outcome.exit_code} {outcome.output[:300]!r}")
    return sum(ok for _, ok in outcomes), len(outcomes), sum(o.traceback for o, _ in outcomes)


async def fault_runs(
    work: Path, seeds: range, org_seeds: range, workstreams: int
) -> list[RunResult]:
    results: list[RunResult] = []
    work.mkdir(parents=True)
    started = time.perf_counter()
    for i, seed in enumerate(seeds, 1):
        os.environ["SMSCONF_HOME"] = str(work / "home")
        results.append(await converge(seed, work))
        if not results[-1].ok:
            say(f"  FAILED {results[-1].explain()}")
        if i % 20 == 0 or i == len(seeds):
            say(f"  examples/: {i}/{len(seeds)} runs, {time.perf_counter() - started:.0f} s")
    if org_seeds:
        paths, accounts = generated_org(work / "generated", workstreams)
        for i, seed in enumerate(org_seeds, 1):
            results.append(
                await converge(seed, work, paths, accounts, FAULT_RATE_EACH, GENERATED_TIMING)
            )
            if not results[-1].ok:
                say(f"  FAILED {results[-1].explain()}")
            say(
                f"  {workstreams}-workstream org: {i}/{len(org_seeds)} runs, "
                f"{time.perf_counter() - started:.0f} s"
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="seeded runs applying examples/")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--org-runs", type=int, default=3, help="runs of the generated org")
    parser.add_argument("--workstreams", type=int, default=100, help="size of the generated org")
    parser.add_argument("--inputs", type=int, default=300, help="generated hostile inputs")
    args = parser.parse_args(argv)
    if min(args.runs, args.org_runs, args.inputs) < 0 or args.workstreams < 1:
        parser.error("counts must not be negative")
    # uvicorn logs each injected connection drop as a server-side traceback (the fault itself,
    # not smsconf failing); a filter survives the logging configuration uvicorn applies.
    logging.getLogger("uvicorn.error").addFilter(lambda record: False)
    work = Path(tempfile.mkdtemp(prefix="smsconf-reliability-"))
    os.chdir(work)
    say(f"smsconf reliability: seed {args.seed}, work directory {work}")

    say("\n1. hostile configuration through validate and plan")
    t = time.perf_counter()
    (work / "hostile").mkdir()
    verdicts = hostile_inputs(work / "hostile", args.inputs, args.seed)
    inputs = len(verdicts) // 2
    bad = [v for v in verdicts if v.problems]
    for verdict in bad:
        say(f"  BAD {verdict.command} {verdict.name}: {verdict.problems}")
    slowest = max((v.seconds for v in verdicts), default=0.0)
    peak = max((v.peak_bytes for v in verdicts), default=0) / 2**20
    say(
        f"  inputs {inputs} ({len(CORPUS)} hand-made, {inputs - len(CORPUS)} generated), "
        f"commands {len(verdicts)}, contract violations {len(bad)}, "
        f"tracebacks {sum(v.traceback for v in verdicts)}, slowest {slowest:.1f} s, "
        f"largest memory growth {peak:.0f} MiB ({time.perf_counter() - t:.0f} s)"
    )

    say("\n2. secrets in every output and file")
    t = time.perf_counter()
    commands, secret_leaks, journey_tracebacks, unexpected = secrets_journey(work / "secrets")
    say(
        f"  commands {commands}, secret leaks {secret_leaks}, tracebacks {journey_tracebacks}, "
        f"unexpected exit codes {unexpected} ({time.perf_counter() - t:.0f} s)"
    )

    say("\n3. fault convergence")
    t = time.perf_counter()
    seeds = range(args.seed, args.seed + args.runs)
    org_seeds = range(args.seed, args.seed + args.org_runs)
    results = asyncio.run(fault_runs(work / "faults", seeds, org_seeds, args.workstreams))
    injected: Counter[str] = Counter()
    for result in results:
        injected.update(result.faults)
    applies = Counter(r.applies for r in results)
    duplicates = sum(len(r.duplicates) for r in results)
    lost = sum(len(r.lost) for r in results)
    unmanaged = sum(len(r.unmanaged_changed) for r in results)
    not_converged = sum(not r.converged or bool(r.remaining_changes) for r in results)
    fault_tracebacks = sum(len(r.tracebacks) for r in results)
    say(
        f"  runs {len(results)} ({args.runs} of examples/, {args.org_runs} of a "
        f"{args.workstreams}-workstream org), requests {sum(r.requests for r in results)}, "
        f"retries {sum(r.retries for r in results)}"
    )
    say(f"  faults injected {sum(injected.values())}: {dict(sorted(injected.items()))}")
    say(f"  applies needed: {dict(sorted(applies.items()))}; not converged {not_converged}")
    say(f"  duplicates {duplicates}, lost {lost}, unmanaged rows changed {unmanaged}")
    say(f"  ({time.perf_counter() - t:.0f} s)")

    say("\n4. the saved plan attacked")
    t = time.perf_counter()
    attacks = play_all(work / "redteam")
    for outcome in attacks:
        if outcome.problems:
            say(f"  NOT REFUSED {outcome.attack}: {'; '.join(outcome.problems)}")
    refused = sum(not o.problems for o in attacks)
    attack_tracebacks = sum("traceback" in o.problems for o in attacks)
    say(
        f"  attacks {len(attacks)}, refused as expected {refused}, "
        f"by exit code {dict(sorted(Counter(int(o.exit_code) for o in attacks).items()))} "
        f"({time.perf_counter() - t:.0f} s)"
    )

    say("\n5. the pull request attacked")
    t = time.perf_counter()
    cases = pull_request.play_all(work / "pull-request")
    for case in cases:
        if case.problems:
            say(f"  NOT REFUSED {case.case}: {'; '.join(case.problems)}")
    say(
        f"  attacks {len(cases)}, refused as expected {sum(not c.problems for c in cases)}, "
        f"by exit code {dict(sorted(Counter(int(c.exit_code) for c in cases).items()))} "
        f"({time.perf_counter() - t:.0f} s)"
    )
    refused += sum(not c.problems for c in cases)
    attack_tracebacks += sum(any(p.startswith("traceback") for p in c.problems) for c in cases)
    played = len(attacks) + len(cases)

    say("\n6. a hostile organisation")
    t = time.perf_counter()
    survived, hostile_total, org_tracebacks = hostile_organisation(work / "hostile-org")
    say(
        f"  commands {hostile_total}, survived {survived}, tracebacks {org_tracebacks} "
        f"({time.perf_counter() - t:.0f} s)"
    )

    tracebacks = (
        fault_tracebacks
        + sum(v.traceback for v in verdicts)
        + journey_tracebacks
        + attack_tracebacks
        + org_tracebacks
    )
    say(
        f"\nruns {len(results)}, faults {sum(injected.values())}, duplicates {duplicates}, "
        f"lost {lost}, tracebacks {tracebacks}, secret leaks {secret_leaks}, "
        f"red-team refused {refused}/{played}, "
        f"hostile org survived {survived}/{hostile_total}"
    )
    failed = duplicates or lost or tracebacks or secret_leaks or unmanaged or not_converged
    hostile_failed = survived < hostile_total
    return 1 if failed or bad or unexpected or refused < played or hostile_failed else 0


if __name__ == "__main__":
    sys.exit(main())
