"""Prints the fuzz summary (operations, requests, statuses per backend) after the run."""

from __future__ import annotations

from tests.fuzz import summary


def pytest_terminal_summary(terminalreporter):
    if summary.RUNS:
        terminalreporter.section("fuzz summary")
        for line in summary.lines():
            terminalreporter.write_line(line)
