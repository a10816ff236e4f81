"""What every web area shares: guards, forms, paging, downloads, error pages, security."""
