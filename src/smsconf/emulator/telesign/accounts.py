"""Who the emulated Telesign knows: customers, keys, product switches, numbers and handsets.

Read from a YAML/JSON file or built in code; `DEMO_ACCOUNTS` are the customers (and numbers) of
`examples/channels.yaml`, so the examples work against the local target without any setup.

An accounts file (YAML or JSON):

    accounts:
      - customer_id: MY-CUSTOMER
        api_key: ZGVtby1rZXk=            # base64 text, as Telesign issues keys
        phoneid_enabled: false           # PhoneID lookups get 401 10011
        allowed_hosts: [rest-ww.telesign.com]   # other hosts get 401 10035
        numbers: [{number: "14255550100", kind: geo, country: US}]
        callback_url: http://127.0.0.1:9000/telesign   # delivery reports and inbound SMS
        delivery: {"15555550123": [290, 521]}           # scripted states per destination
    directory:
      "447700900123": {phone_type: MOBILE, country: GB}  # what PhoneID says of a handset
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smsconf.telesign.signing import signing_key

NumberKind = Literal["geo", "short_code", "toll_free"]
Script = tuple[int, ...]
DEFAULT_DELIVERY: Script = (290, 203, 200)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class EmulatedNumber(_Frozen):
    """A number the customer owns: an allowed `sender_id` and a target of inbound messages."""

    number: str = Field(pattern=r"^\d{3,15}$")
    kind: NumberKind = "geo"
    country: str = "US"


class Handset(_Frozen):
    """What PhoneID reports for a number that no account owns."""

    phone_type: str = "MOBILE"
    country: str | None = None


class EmulatedAccount(_Frozen):
    """One customer. `allowed_hosts` empty means any host; set it to produce "wrong host" (10035).

    `delivery` scripts the states a message to a destination goes through, one step per status
    read (the send itself answers the first); the default is in progress, gateway, delivered.
    """

    customer_id: str = Field(min_length=1)
    api_key: str = Field(min_length=1, repr=False)
    name: str = ""
    sms_enabled: bool = True
    phoneid_enabled: bool = True
    suspended: bool = False
    allowed_hosts: tuple[str, ...] = ()
    numbers: tuple[EmulatedNumber, ...] = ()
    reject_unknown_senders: bool = True
    callback_url: str | None = None
    delivery: Mapping[str, Script] = Field(default_factory=dict)

    @field_validator("api_key")
    @classmethod
    def _key_can_sign(cls, value: str) -> str:
        signing_key(value)  # refuse at load time what would fail every TSA request later
        return value

    @field_validator("delivery")
    @classmethod
    def _scripts_not_empty(cls, value: Mapping[str, Script]) -> Mapping[str, Script]:
        if any(not script for script in value.values()):
            raise ValueError("a delivery script needs at least one status code")
        return value

    def owns(self, number: str) -> EmulatedNumber | None:
        return next((owned for owned in self.numbers if owned.number == number), None)

    def script_for(self, destination: str) -> Script:
        return tuple(self.delivery.get(destination, DEFAULT_DELIVERY))


class EmulatorSetup(_Frozen):
    """The content of an accounts file: `accounts:` and optionally `directory:` of handsets."""

    accounts: tuple[EmulatedAccount, ...]
    directory: Mapping[str, Handset] = Field(default_factory=dict)


class AccountsFileError(ValueError):
    """An accounts file that cannot be read or is invalid, with every problem located.

    The message names places (file:line:col, `accounts.0.numbers.0.number`), never the file's
    text: PyYAML's own messages quote the offending lines, which in this file hold API keys.
    """


def load_setup(path: str | Path) -> EmulatorSetup:
    """Read an accounts file (YAML, or JSON which YAML also reads).

    Raises `AccountsFileError` for an unreadable file, bad YAML or invalid content.
    """
    path = Path(path)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AccountsFileError(f"{path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise AccountsFileError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise AccountsFileError(_yaml_problem(path, exc)) from None
    try:
        return EmulatorSetup.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(map(str, error['loc'])) or 'the file'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise AccountsFileError(f"{path}: " + "; ".join(problems)) from None


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """`path:line:col: what` from PyYAML's marks, without the snippet it would quote.

    The place is where the construct began (an unclosed quote, a flow sequence), which is where
    the mistake usually is; the place the parser gave up follows when it differs.
    """
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"{path}: not valid YAML"
    start, stop = exc.context_mark, exc.problem_mark
    mark = start or stop
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    what = ", ".join(filter(None, (exc.context, exc.problem))) or "syntax error"
    if start and stop and (start.line, start.column) != (stop.line, stop.column):
        what += f" (at {stop.line + 1}:{stop.column + 1})"
    return f"{where}: not valid YAML: {what}"


DEMO_ACCOUNTS: tuple[EmulatedAccount, ...] = (
    EmulatedAccount(
        name="contoso-telesign",
        customer_id="DEMO-CUSTOMER-0001",
        api_key="ZGVtby1hcGkta2V5LWZvci1zbXNjb25mLWxvY2FsLW9yZw==",
        numbers=(
            EmulatedNumber(number="14255550100", kind="geo", country="US"),
            EmulatedNumber(number="18005550199", kind="toll_free", country="US"),
            EmulatedNumber(number="55123", kind="short_code", country="US"),
        ),
    ),
    EmulatedAccount(
        name="fabrikam-telesign",
        customer_id="DEMO-CUSTOMER-0002",
        api_key="c2Vjb25kLWRlbW8ta2V5LWZvci1zbXNjb25m",
        numbers=(EmulatedNumber(number="447700900123", kind="geo", country="GB"),),
    ),
)
