"""Exit codes: a contract with CI scripts, so each one is a named constant, never a bare number.

Modelled on Terraform's `-detailed-exitcode` (0 nothing to do, 1 error, 2 changes present) with
distinct codes for the failures a pipeline wants to branch on.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # valid / no changes / applied
    ERROR = 1  # unexpected error (a bug, or the organisation unreachable)
    CHANGES = 2  # plan has changes (only with --detailed-exitcode)
    INVALID_CONFIG = 3  # configuration failed validation
    CREDENTIALS = 4  # an account's credentials were refused or could not be checked
    UNSAFE_PLAN = 5  # plan crosses a safety threshold (deletes, immutable fields)
    STALE_PLAN = 6  # saved plan no longer matches the live organisation or the configuration
    PARTIAL_APPLY = 7  # apply stopped part-way; the journal says what was done
    ROUTE_CASES_FAILED = 8  # `route --cases`: a case was not routed as it expects
    PLAN_FILE_INVALID = 9  # `apply --plan`: the file is not a readable smsconf plan
    UNTRUSTED_HOST = 10  # a host the configuration names is neither documented nor allowed
    # A mistyped command line must never look like success (click's own code, 2, is "changes
    # present" here); 64 is sysexits' EX_USAGE, far from the codes above so new ones fit between.
    USAGE = 64  # the command line itself is wrong: unknown command or option, bad value, no path


EXIT_CODE_HELP = """\b
Exit codes:
  0  success: configuration valid, no changes, or apply finished
  1  unexpected error
  2  changes present (plan --detailed-exitcode)
  3  invalid configuration
  4  provider credentials refused, or not checkable (throttled, unreachable)
  5  unsafe plan (deletes or immutable changes not allowed)
  6  stale plan (a fresh plan differs from the saved one: what moved is named)
  7  partial apply (see the journal; run apply again to finish)
  8  route cases failed (a case was not routed where it expects)
  9  plan file invalid (not a smsconf plan: unreadable, malformed, damaged)
  10 untrusted host (not a documented one; the workflow allows others: --allow-host)
  64 usage error (unknown command or option, bad option value, missing path)"""
