"""Live tallies: tally tables, arithmetic, anti-fraud flags, the incremental job, recount and verify."""
