"""12345 hotline work-order checks (12345热线工单核查): import, mapping, draw, checks, rates, appeals."""
