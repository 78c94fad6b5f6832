"""Configuration: YAML with positions → a validated `Config`, or a `ConfigError` (all problems)."""

from smsconf.config.loader import load_config, validate_paths
from smsconf.config.model import Account, Config, Workstream
from smsconf.config.problems import ConfigError, Position, Problem
from smsconf.config.secrets import SecretError, SecretRef

__all__ = [
    "Account",
    "Config",
    "ConfigError",
    "Position",
    "Problem",
    "SecretError",
    "SecretRef",
    "Workstream",
    "load_config",
    "validate_paths",
]
