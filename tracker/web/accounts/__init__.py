"""Login and own account, user administration, the audit log."""
