"""Rectification tracking (意见建议整改): feedback items split into tasks per responsible entity,
monthly progress with evidence, office closure (销号), warnings, on-time rates and the ledger."""
