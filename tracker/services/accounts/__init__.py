"""Accounts: authentication and self-service, user administration, and reading the audit log."""
