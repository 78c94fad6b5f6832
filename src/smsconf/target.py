"""Where a plan or apply goes: a real organisation, or the embedded local one, as a value.

The reconciler gets a `Target` and never learns which kind it is: both are a `DataverseClient`
speaking HTTP plus what the provider checks need. Opening one (and, for the local target,
starting the emulators) is the composition layer's job, `smsconf.connect`: nothing the
reconciler imports knows the emulators exist.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from smsconf.dataverse import DataverseClient

LOCAL = "local"
LOCAL_URL = "http://local.smsconf"
LOCAL_TELESIGN_URL = "http://telesign.local"
LOCAL_TWILIO_URL = "http://twilio.local"
LOCAL_ACS_URL = "http://acs.local"
LOCAL_ARM_URL = "http://management.local"
LOCAL_DB = "local.sqlite"


STATE_DIR = ".smsconf"


def state_dir(paths: Sequence[str | Path] = ()) -> Path:
    """Working state (the local org, journals), found the way git finds its repository, so
    the same configuration reaches the same org from any directory: `$SMSCONF_HOME` if set;
    else the nearest `.smsconf/` upward from the configuration (the current directory when no
    path is given), looking no higher than the git repository it is in; else a new one beside
    it (`state_home`). Relative to the current directory when under it, as the plan shows it."""
    home = os.environ.get("SMSCONF_HOME")
    if home:
        return Path(home)
    start = _configuration_dir(paths)
    ceiling = _repository_top(start)
    for directory in (start, *start.parents):
        if (directory / STATE_DIR).is_dir():
            return shown(directory / STATE_DIR)
        if directory == ceiling:
            break
    return shown(_beside(start, paths, ceiling) / STATE_DIR)


def shown(path: Path) -> Path:
    """`path` as a user would type it here: relative under the current directory."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _configuration_dir(paths: Sequence[str | Path]) -> Path:
    """The directory holding every configuration path (a directory itself, a file's parent)."""
    dirs = [p if p.is_dir() else p.parent for p in (Path(x).resolve() for x in paths)]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


def _beside(start: Path, paths: Sequence[str | Path], ceiling: Path | None) -> Path:
    """Where a new `.smsconf/` goes: next to a configuration directory (`examples/` from the
    repository's root: `./.smsconf`), in the directory of configuration files, and never
    above the current directory or the repository when the configuration is that directory."""
    given_dirs = bool(paths) and all(Path(p).is_dir() for p in paths)
    if given_dirs and start not in (Path.cwd().resolve(), ceiling) and start.parent != start:
        return start.parent
    return start


def _repository_top(start: Path) -> Path | None:
    """The top of the git work tree holding `start`, found by its `.git` (no git needed)."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


@dataclass
class Target:
    name: str
    url: str
    dataverse: DataverseClient
    telesign_endpoint: str | None = None
    telesign_transport: httpx.AsyncBaseTransport | None = None
    gateway: str | None = None
    twilio_endpoint: str | None = None
    twilio_transport: httpx.AsyncBaseTransport | None = None
    acs_endpoint: str | None = None
    """Where the organisation's ACS resource answers (the local one's; a real org's comes
    from each account's connection string)."""
    acs_transport: httpx.AsyncBaseTransport | None = None
    arm_endpoint: str | None = None
    """Azure Resource Manager (the local org's emulated slice; None: the real one)."""
    arm_transport: httpx.AsyncBaseTransport | None = None
    credential_source: str | None = None
    """The secret the organisation's bearer token comes from, by name (None: the local org)."""
    home: Path = field(default_factory=state_dir)
    """The state directory: the local org's database (for the local target) and journals."""

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL

    @property
    def database(self) -> Path | None:
        """The local organisation's file; None for a real organisation."""
        return self.home / LOCAL_DB if self.is_local else None
