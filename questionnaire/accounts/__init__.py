"""Office accounts: login with lockout, scope-bearing users, the audit log, sign-in pages."""
