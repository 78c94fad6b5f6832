"""Twilio client: credential checks, number ownership and the inbound URL in effect, updates.

Independent of the configuration model: callers build a `account.TwilioAccount` and get plain
values back; nothing here prints, logs or raises with the Auth Token. Import from submodules:

- `account`: `TwilioAccount`, `API_BASE`, `MESSAGING_BASE`, `e164`
- `client`: `TwilioClient`, `TwilioResponse`; `errors`: the exceptions
- `credentials`: `check_account`, `AccountCheck`
- `numbers`: `inspect_number`, `NumberState`, `InboundLayer`, `update_sms_url`
- `consent`: how STOP/START/HELP are handled for a number
- `signature`: `X-Twilio-Signature`, standard library only

This file imports nothing, so that the emulators can use `signature` without loading the client.
"""
