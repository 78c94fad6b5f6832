"""A working directory with a copy of the example and the local organisation behind it.

The end-to-end tests (tests/cli/test_plan_apply.py) and the reconcile tests share this helper so
every test runs the same way a user does: `smsconf` in a directory of YAML, the local org in
`.smsconf/` under it, and a second, independent Web API client on the same SQLite database to
look at (or edit, admin-center style) what the CLI wrote. Nothing here mocks our own classes:
every read and write goes through the emulator's HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from click.testing import CliRunner, Result

from smsconf.cli import main
from smsconf.config.loader import Loaded, load
from smsconf.connect import LOCAL_ACS_STATE, LOCAL_TWILIO_STATE, prepare_org
from smsconf.dataverse import DataverseClient, RetryPolicy, StaticToken
from smsconf.dataverse import operations as ops
from smsconf.emulator.dataverse import DEFAULT_ORG_ID, create_app
from smsconf.mapping.ids import normalise
from smsconf.mapping.keys import KEYS
from smsconf.platform import TABLES
from smsconf.reconcile import manager
from smsconf.reconcile.live import read_live
from smsconf.target import LOCAL_DB, LOCAL_URL

T = TypeVar("T")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONTOSO_DEMO_KEY = "ZGVtby1hcGkta2V5LWZvci1zbXNjb25mLWxvY2FsLW9yZw=="
DEMO_ACS_CONNECTION_STRING = (
    "endpoint=https://contoso-acs.communication.azure.com/;"
    "accesskey=c21zY29uZi1sb2NhbC1hY3MtZGVtby1hY2Nlc3Mta2V5IQ=="
)
DEMO_SECRETS = {
    "CONTOSO_TELESIGN_API_KEY": CONTOSO_DEMO_KEY,
    "FABRIKAM_TELESIGN_API_KEY": "c2Vjb25kLWRlbW8ta2V5LWZvci1zbXNjb25m",
    "CONTOSO_TWILIO_AUTH_TOKEN": "demo-twilio-auth-token-for-smsconf",
    "CONTOSO_ACS_CONNECTION_STRING": DEMO_ACS_CONNECTION_STRING,
}
"""The example's secrets by variable (export names its accounts' so too): their defaults."""
# The example's secrets come from these variables when set; tests pin them to the defaults.
KEY_VARIABLES = tuple(DEMO_SECRETS)


async def _no_wait(_: float) -> None:
    """Retries in tests happen at once; the waits themselves are tested in tests/dataverse."""


def instant_retries(max_attempts: int = 6) -> RetryPolicy:
    return RetryPolicy(max_attempts=max_attempts, seed=1, sleep=_no_wait)


@dataclass
class Workspace:
    """A copy of `examples/` in `root`, the current directory of the test."""

    root: Path
    runner: CliRunner = field(default_factory=CliRunner)

    @property
    def config_dir(self) -> Path:
        return self.root / "examples"

    @property
    def config(self) -> Path:
        return self.config_dir / "channels.yaml"

    @property
    def home(self) -> Path:
        return self.root / ".smsconf"

    def smsconf(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run the CLI as a user would (exceptions become exit codes, as in a real process)."""
        return self.runner.invoke(main, list(args), env=env)

    def plan(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.smsconf("plan", "examples/", *args, env=env)

    def apply(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.smsconf("apply", "examples/", "--auto-approve", *args, env=env)

    # --- the YAML --------------------------------------------------------------------------

    def edit(self, old: str, new: str) -> None:
        """Replace one exact piece of the example (fails loudly if the example moved on)."""
        text = self.config.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"expected exactly one {old!r} in the example"
        self.config.write_text(text.replace(old, new), encoding="utf-8")

    def cut(self, start: str, end: str) -> str:
        """Remove the YAML from `start` up to (not including) `end`; return what was removed."""
        text = self.config.read_text(encoding="utf-8")
        i, j = text.index(start), text.index(end)
        assert i < j
        self.config.write_text(text[:i] + text[j:], encoding="utf-8")
        return text[i:j]

    def append(self, yaml_text: str) -> None:
        with self.config.open("a", encoding="utf-8") as out:
            out.write("\n" + yaml_text)

    def loaded(self) -> Loaded:
        return load([self.config_dir])

    # --- the organisation, through its Web API -----------------------------------------------

    @asynccontextmanager
    async def client(self) -> AsyncIterator[DataverseClient]:
        """A second client on the same local organisation, as another tool or admin would be."""
        app = create_app(self.home / LOCAL_DB, base_url=LOCAL_URL)
        try:
            async with DataverseClient(
                LOCAL_URL, StaticToken("admin"), transport=httpx.ASGITransport(app=app)
            ) as dv:
                yield dv
        finally:
            app.close()

    def web(self, action: Callable[[DataverseClient], Awaitable[T]]) -> T:
        """Run one async action against the org from a synchronous (CLI) test."""

        async def run() -> T:
            async with self.client() as dv:
                return await action(dv)

        return asyncio.run(run())

    def rows(self, table: str, **equal: Any) -> list[dict[str, Any]]:
        """Rows of `table` whose columns equal the given values (an OData $filter)."""
        return self.web(lambda dv: rows_where(dv, table, **equal))

    def update(self, table: str, row_id: str, body: dict[str, Any]) -> None:
        """An edit made outside smsconf (the admin center), straight through the Web API."""
        self.web(lambda dv: dv.update(TABLES[table].entity_set, row_id, body))

    def update_as(self, name: str, table: str, row_id: str, body: dict[str, Any]) -> str:
        """An edit made in the admin center by another person: `name` becomes a user of the
        organisation (if not one yet) and the edit is sent as that user (`MSCRMCallerID`), so
        the row names them in `modifiedby`. Returns the user's id."""
        user = str(uuid.uuid5(uuid.NAMESPACE_URL, f"smsconf-test-user/{name}"))

        async def act(dv: DataverseClient) -> None:
            await dv.upsert("systemusers", user, {"lastname": name})
            edit = ops.update(TABLES[table].entity_set, row_id, body)
            result = await dv.execute(
                dataclasses.replace(edit, headers={**edit.headers, "MSCRMCallerID": user})
            )
            assert result.ok, result.error

        self.web(act)
        return user

    def key_counts(self) -> dict[str, Counter[tuple[str, ...]]]:
        """How many live rows share each natural key, per table (a duplicate shows as 2)."""
        return asyncio.run(key_counts_of(self))


def admin_acts_before_writes(
    ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    action: Callable[[DataverseClient], Awaitable[object]],
) -> None:
    """Make the admin center do `action` once, after the next apply's stale check and just
    before its writes: the narrowest window, which only the writes themselves can notice.
    Later applies in the test run undisturbed (the admin acted once)."""
    real_execute = manager.execute
    pending = [action]

    async def admin_acts_first(*args: Any, **kwargs: Any) -> Any:
        while pending:
            async with ws.client() as dv:
                await pending.pop()(dv)
        return await real_execute(*args, **kwargs)

    monkeypatch.setattr(manager, "execute", admin_acts_first)


async def rows_where(dv: DataverseClient, table: str, **equal: Any) -> list[dict[str, Any]]:
    def literal(column: str, value: Any) -> str:
        if column == TABLES[table].primary_key or column.endswith("_value"):
            return str(value)  # a GUID literal is not quoted in OData
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return str(value).lower() if isinstance(value, bool) else str(value)

    where = " and ".join(f"{column} eq {literal(column, v)}" for column, v in equal.items())
    return await dv.get_all(TABLES[table].entity_set, filter=where or None)


async def key_counts_of(ws: Workspace) -> dict[str, Counter[tuple[str, ...]]]:
    async with ws.client() as dv:
        return await key_counts_in(dv, ws.loaded())


async def key_counts_in(dv: DataverseClient, loaded: Loaded) -> dict[str, Counter[tuple[str, ...]]]:
    live = await read_live(dv, loaded.config)
    counts: dict[str, Counter[tuple[str, ...]]] = {}
    for table in KEYS:
        keys = [live.key_of(table, row) for row in live.rows.get(table, [])]
        counts[table] = Counter(normalise(k) for k in keys if k is not None)
    return counts


def duplicates(counts: dict[str, Counter[tuple[str, ...]]]) -> list[str]:
    return [f"{t}{k} x{n}" for t, c in counts.items() for k, n in c.items() if n > 1]


def apply_example(root: Path) -> Path:
    """Apply the example once in `root` and return its database, for tests to copy."""
    with pytest.MonkeyPatch.context() as mp:
        ws = make_workspace(root, mp)
        result = ws.apply()
    assert result.exit_code == 0, result.output
    return ws.home / LOCAL_DB


def copy_organisation(db: Path, home: Path) -> None:
    """Copy the local organisation whose database is `db` into the state directory `home`:
    the database and, beside it, its Twilio's and its ACS's state (the webhooks apply set on
    its numbers, the Event Grid objects apply created)."""
    home.mkdir(exist_ok=True)
    shutil.copy(db, home / LOCAL_DB)
    for state in (LOCAL_TWILIO_STATE, LOCAL_ACS_STATE):  # the webhooks, the Event Grid wiring
        if (db.parent / state).exists():
            shutil.copy(db.parent / state, home / state)


def from_database(ws: Workspace, db: Path) -> Workspace:
    """Start `ws` from a copy of an organisation (fast: no apply per test)."""
    copy_organisation(db, ws.home)
    return ws


def make_workspace(
    root: Path, monkeypatch: pytest.MonkeyPatch, copy: Sequence[str] = ("channels.yaml",)
) -> Workspace:
    """Copy the example into `root`, make it the current directory, pin the demo secrets, and
    create its local org with the fixed organisation id (so ids and plans are reproducible,
    and no `.smsconf/` above the temporary directory is ever found instead)."""
    (root / "examples").mkdir()
    for name in copy:
        shutil.copy(EXAMPLES / name, root / "examples" / name)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SMSCONF_HOME", raising=False)
    monkeypatch.delenv("SMSCONF_TOKEN", raising=False)
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    ws = Workspace(root)
    prepare_org(ws.home / LOCAL_DB, org_id=DEFAULT_ORG_ID)
    return ws


# --- fixtures (imported by tests/reconcile/conftest.py and tests/cli/test_plan_apply.py) -------


@pytest.fixture(scope="session")
def applied_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example applied once per session; tests that start from it copy the database."""
    return apply_example(tmp_path_factory.mktemp("applied"))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty local organisation and a copy of the example, in this test's own directory."""
    return make_workspace(tmp_path, monkeypatch)


@pytest.fixture
def applied(ws: Workspace, applied_db: Path) -> Workspace:
    """The workspace with the example already applied (a copy of the session's database)."""
    return from_database(ws, applied_db)
