"""The office dashboard: figures read from the tally tables, league tables, pace, suggestions."""
