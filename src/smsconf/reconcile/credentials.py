"""Configured accounts meet the Telesign client: credential checks and opt-in number checks.

One bridge for `plan` and `check-credentials`, so both give the same verdicts in the same words.
An account whose key cannot be read is a verdict too (`secret_unreadable`), named by account,
never by value.
"""

from __future__ import annotations

import asyncio

import httpx

from smsconf import hosts
from smsconf.config.model import Config
from smsconf.config.secrets import SecretError
from smsconf.reconcile.plan import Credential, NumberResult
from smsconf.telesign.account import TelesignAccount, base_url
from smsconf.telesign.credentials import check_all
from smsconf.telesign.numbers import SenderNumber, lookup_sender_numbers
from smsconf.telesign.secret import ApiKey


def telesign_accounts(
    config: Config, endpoint: str | None, in_process: bool = False
) -> tuple[list[TelesignAccount], dict[str, Credential]]:
    """The configuration's accounts as the client takes them; unreadable keys set aside.

    `endpoint` overrides every account's own (the local emulator, a served one). Unless the
    requests stay `in_process`, each account's host is checked before its key is read.
    """
    accounts: list[TelesignAccount] = []
    unreadable: dict[str, Credential] = {}
    for account in config.accounts:
        if account.provider != "telesign":
            continue
        if not in_process:
            hosts.require(base_url(endpoint or account.endpoint), "telesign", account.name)
        try:
            key = ApiKey(account.secret.resolve())
        except (SecretError, ValueError) as exc:
            unreadable[account.name] = Credential(
                account.name, account.provider, account.identifier, "secret_unreadable", str(exc)
            )
            continue
        accounts.append(
            TelesignAccount(
                name=account.name,
                customer_id=account.identifier,
                api_key=key,
                endpoint=endpoint or account.endpoint,
                auth=account.auth,
            )
        )
    return accounts, unreadable


async def check_accounts(
    config: Config,
    *,
    endpoint: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    check_numbers: bool = False,
) -> tuple[list[Credential], list[NumberResult]]:
    """Every account's credentials, concurrently, each identity once; then, when asked, a
    PhoneID lookup (billed) of each sender number of the accounts that passed."""
    accounts, results = telesign_accounts(config, endpoint, transport is not None)
    for result in await check_all(accounts, transport=transport):
        results[result.account] = Credential(
            result.account, "telesign", result.customer_id, result.status.value, result.detail
        )
    numbers: list[NumberResult] = []
    if check_numbers:
        declared = {a.name: a.numbers for a in config.accounts}
        usable = [a for a in accounts if results[a.name].ok]
        checks = await asyncio.gather(
            *(
                lookup_sender_numbers(
                    account,
                    [SenderNumber(n.number, n.type) for n in declared[account.name]],
                    transport=transport,
                )
                for account in usable
            )
        )
        numbers = [
            NumberResult(account.name, c.number, c.kind, c.verdict.value, c.detail)
            for account, found in zip(usable, checks, strict=True)
            for c in found
        ]
    return [results[a.name] for a in config.accounts if a.name in results], numbers
