"""Time zones as words: the committed table is the generator's output from the committed
sources, and it gives the codes Dataverse uses (GMT Standard Time is 85)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from smsconf.platform import timezones

ROOT = Path(__file__).parents[2]


def test_the_committed_table_is_the_generator_s_output() -> None:
    done = subprocess.run(
        [sys.executable, "tools/timezones.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_words_name_the_microsoft_time_zone_index_codes() -> None:
    assert timezones.code_of("Europe/London") == 85
    assert timezones.code_of("GMT Standard Time") == 85
    assert timezones.code_of("America/New_York") == 35
    assert timezones.code_of("Eastern Standard Time") == 35
    assert timezones.code_of("Europe/Berlin") == timezones.code_of("W. Europe Standard Time") == 110
    assert timezones.code_of("America/Los_Angeles") == 4
    assert timezones.code_of("Asia/Kolkata") == timezones.code_of("India Standard Time") == 190
    # the index's old spelling and today's Windows id alike
    assert timezones.code_of("S.A. Pacific Standard Time") == 45
    assert timezones.code_of("SA Pacific Standard Time") == 45
    assert timezones.code_of("Afghanistan Standard Time") == 175
    assert timezones.code_of(85) == 85


def test_a_zone_whose_windows_id_changed_meaning_is_not_mapped() -> None:
    """Samoa crossed the date line in 2011: the index's code 1 is GMT-11, Pacific/Apia is now
    UTC+13, so Apia is no word for it; zones the index lacks have no word either."""
    assert timezones.code_of("Samoa Standard Time") == 1
    assert timezones.code_of("Pacific/Apia") is None
    assert timezones.code_of("Etc/UTC") is None
    assert timezones.code_of("Europe/Londn") is None
