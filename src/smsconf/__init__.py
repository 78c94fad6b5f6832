"""smsconf: keep the SMS channels of Dynamics 365 Customer Service in git."""

__version__ = "0.1.0"
