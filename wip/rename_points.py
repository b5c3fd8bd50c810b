"""Re-runnable: EntryPoint -> CollectionPoint, entry_points -> collection_points (table),
entry_point_id -> collection_point_id, poster_unit_id -> collected_unit_id.
Old migrations (0001-0006) are history and stay as they are."""
import re, sys
from pathlib import Path
root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/main")
SKIP = {"0001_core.py", "0003_tallies.py", "0004_unit_targets.py", "0005_lean_responses.py", "0006_tally_queue.py", "0007_collection_points.py"}
RULES = [
    (re.compile(r"\bEntryPoint\b"), "CollectionPoint"),
    # The table, not the campaign file's `entry_points:` key (QR entry rules) nor the qr module.
    (re.compile(r"(?<![.\w\[])(?<!doc\[\")(?<!get\(\")(?<!spec\[\")entry_points\b(?!\[)(?!\"\s*:)(?!\.py)"), "collection_points"),
    (re.compile(r"\bentry_point_id\b"), "collection_point_id"),
    (re.compile(r"\bposter_unit_id\b"), "collected_unit_id"),
    (re.compile(r"\bix_responses_entry_created\b"), "ix_responses_point_created"),
]
changed = 0
for sub in ("questionnaire", "workers", "tests", "bench", "templates"):
    for f in (root / sub).rglob("*"):
        if f.suffix not in (".py", ".html", ".js") or f.name in SKIP or not f.is_file():
            continue
        s = f.read_text()
        n = s
        for rx, rep in RULES:
            n = rx.sub(rep, n)
        if n != s:
            f.write_text(n); changed += 1
print("files changed:", changed)
