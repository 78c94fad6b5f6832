"""Emulators of the services smsconf talks to, as real ASGI apps speaking the real protocols."""
