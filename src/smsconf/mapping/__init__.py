"""Configuration ⇄ Dataverse rows: desired rows for a plan, configuration from rows for export."""
