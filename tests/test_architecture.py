"""The package keeps its shape: import contracts (pyproject.toml) hold and no module import cycles exist."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

import questionnaire

ROOT = Path(__file__).resolve().parents[1]
# Imports left out of the cycle check, each with its reason (the same edge is ignored in pyproject.toml).
DELIBERATE = {
    # workers.app_context builds the app lazily inside the worker process, never before a fork.
    ("workers", "questionnaire.app"),
}


def _run(*args: str) -> subprocess.CompletedProcess:
    # This checkout first: the venv's editable install may point at another one.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_checked_package_is_this_checkout():
    assert Path(questionnaire.__file__).resolve().is_relative_to(ROOT)


def test_import_contracts_are_kept():
    result = _run("-c", "import sys; from importlinter.cli import lint_imports_command; "
                        "sys.argv[0] = 'lint-imports'; lint_imports_command()", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == contract_id)


def test_pure_modules_load_no_flask_sqlalchemy_or_redis_at_run_time():
    """What grimp cannot see: a parent package's __init__ importing the app would load it all."""
    contract = _contract("pure")
    code = ("import importlib, sys\n"
            f"for name in {contract['source_modules']!r}: importlib.import_module(name)\n"
            f"print(sorted(m for m in {contract['forbidden_modules']!r} if m in sys.modules))")
    result = _run("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.parametrize("module", ["workers.tally_jobs", "workers.poster_jobs", "workers.export_jobs"])
def test_a_job_module_imports_first_in_a_fresh_process(module):
    """A standalone `rq worker` imports the job's module before anything else of ours."""
    result = _run("-c", f"import {module}")
    assert result.returncode == 0, result.stderr


def _cycles(graph: grimp.ImportGraph, skip: set[tuple[str, str]]) -> list[list[str]]:
    """One cycle per strongly connected component of the module graph (Tarjan, iterative)."""
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if (m, i) not in skip)
             for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    components.append(sorted(component))
    return [_one_cycle(edges, set(c)) for c in components]


def _one_cycle(edges: dict[str, list[str]], component: set[str]) -> list[str]:
    """A shortest path from the component's first module back to itself, inside the component."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for child in edges[node]:
            if child == start:
                return paths[node] + [start]
            if child in component and child not in paths:
                paths[child] = paths[node] + [child]
                queue.append(child)
    raise AssertionError("a strongly connected component always has a cycle")


def test_cycle_finder_reports_a_cycle():
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "d")]:
        graph.add_import(importer=importer, imported=imported)
    assert sorted(_cycles(graph, set())) == [["a", "b", "c", "a"], ["d", "d"]]


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("questionnaire", "workers", cache_dir=None)
    for importer, imported in DELIBERATE:
        assert graph.direct_import_exists(importer=importer, imported=imported), (importer, imported)
    cycles = _cycles(graph, DELIBERATE)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


MODEL_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "questionnaire").rglob("models.py"))


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_a_models_module_imported_alone_configures_its_mappers(module):
    # A job or a bench check may import one feature's models and nothing else: every relationship
    # must then still find the classes it points to (a name that resolves only when another
    # feature happened to be imported first breaks such a process at its first query).
    result = _run("-c", f"import {module}; from sqlalchemy.orm import configure_mappers; configure_mappers()")
    assert result.returncode == 0, result.stderr[-2000:]
