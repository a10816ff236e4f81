"""What every service domain shares: permissions, region scope, pagination, the office clock,
stored uploads, import rows and the audit writer."""
