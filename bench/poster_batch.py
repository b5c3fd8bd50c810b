"""Time the poster batch: N entry points rendered into one PDF (default 200, A4).

Usage: .venv/bin/python bench/poster_batch.py [N] [A4|A3] [out.pdf]
Measures the pure renderer (what the RQ job spends its time on; the DB query for
200 rows is milliseconds).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from questionnaire.intake.codes import new_entry_code
from questionnaire.posters.render import PosterData, render_posters


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    size = sys.argv[2] if len(sys.argv) > 2 else "A4"
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else Path("/tmp/poster-batch.pdf")
    posters = [
        PosterData("2026年度河池市社会评价满意度调查", f"金城江区第{i + 1}号村委会",
                   f"https://pj.hechi.gov.cn/s/{new_entry_code()}",
                   datetime(2026, 4, 30, 16, tzinfo=timezone.utc), datetime(2026, 12, 31, 15, tzinfo=timezone.utc),
                   "金城江区")
        for i in range(n)
    ]
    start = time.perf_counter()
    pdf = render_posters(posters, size=size)
    seconds = time.perf_counter() - start
    out.write_bytes(pdf)
    print(f"posters={n} size={size} seconds={seconds:.2f} pages_per_s={n / seconds:.0f} "
          f"bytes={len(pdf)} out={out}")


if __name__ == "__main__":
    main()
