"""Web plumbing shared by every feature: error pages and JSON errors, security headers, the JSON provider."""
