"""Glue for running smsconf in CI: the sticky pull-request comment that carries the plan."""
