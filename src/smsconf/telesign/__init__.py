"""Telesign client: signed requests, credential checks, sender-number checks, test messages.

Independent of the configuration model: callers build a `account.TelesignAccount` and get plain
values back; nothing here prints, logs or raises with the API key. Import from the submodules:

- `account`: `TelesignAccount`, `STANDARD_ENDPOINT`, `ENTERPRISE_ENDPOINT`; `secret`: `ApiKey`
- `client`: `TelesignClient`, `TelesignTiming`, `TelesignResponse`; `errors`: the exceptions
- `credentials`: `check_credentials`, `check_all`, `CredentialChecker`, `CredentialResult`
- `numbers`: `lookup_sender_numbers`, `SenderNumber`, `NumberCheck`
- `sending`: `send_test_sms`, `TestSmsResult` (one real test message)
- `signing`: the string-to-sign and signatures, standard library only

This file imports nothing, so that the emulator can use `signing` without loading the client.
"""
