"""Accounts: authentication and self-service (API tokens included), user administration, and reading
the audit log."""
