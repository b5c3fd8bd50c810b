"""The evaluation result: scoring schemes (channel weights, indicator trees, grades), live results
from the tally tables, and their publication."""
