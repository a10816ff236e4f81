"""Letter pages: the office's letter settings, the register, one letter (preview, issue,
revoke) and the public verification page."""
