"""Time the report of the built-in comparison: its size, its rebuild, its load in Chromium.

Usage:
    python benchmarks/report.py [--runs 3] [--folder DIR]

Without ``--folder`` the built-in comparison is run once (``counterflow compare``, 9 strategies,
24 months, 20 replications) into a temporary folder. Then: the size of ``report.html``; the
median of ``--runs`` runs of ``counterflow report DIR`` (the whole command, in a fresh process);
the median of ``--runs`` loads in headless Chromium (Debian's ``/usr/bin/chromium`` through
Selenium and ``/usr/bin/chromedriver``: ``loadEventEnd - navigationStart``). Issue 34's limits:
under 3 MB, the command under 10 s, the load under 2 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The browser as the tests launch it: Debian's binaries, offline flags, no Selenium Manager.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _browser import CHROMEDRIVER, CHROMIUM, launch_chromium, open_page  # type: ignore[import-not-found]


def counterflow(*arguments: str) -> float:
    """Run ``python -m counterflow.cli ARGUMENTS``; its wall-clock seconds."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "counterflow.cli", *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def load_times(page: Path, runs: int) -> list[float]:
    """Milliseconds from navigation to the load event, one fresh browser per run."""
    found = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            driver = launch_chromium(Path(profile))
            try:
                found.append(open_page(driver, page).load_ms)
            finally:
                driver.quit()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=None, help="a saved comparison folder")
    args = parser.parse_args()
    if args.runs < 1:
        sys.exit("report.py: --runs must be at least 1")
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        sys.exit("report.py: needs Debian's chromium and chromium-driver (make browser)")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder
        if folder is None:
            folder = Path(temporary) / "out"
            seconds = counterflow("compare", "--out", str(folder))
            print(f"compare (built-in) to make the folder: {seconds:.1f} s")
        page = folder / "report.html"
        rebuild = [counterflow("report", str(folder)) for _ in range(args.runs)]
        loads = load_times(page, args.runs)
        size = page.stat().st_size
    print(
        f"report of {folder.name if args.folder else 'the built-in comparison'}, "
        f"{platform.node()} ({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}\n"
        f"| measure | median of {args.runs} | runs | limit |\n|---|---:|---|---:|\n"
        f"| report.html size | {size / 1e6:.2f} MB | - | 3 MB |\n"
        f"| counterflow report DIR | {statistics.median(rebuild):.2f} s "
        f"| {', '.join(f'{s:.2f}' for s in rebuild)} | 10 s |\n"
        f"| load event in headless Chromium | {statistics.median(loads):.0f} ms "
        f"| {', '.join(f'{m:.0f}' for m in loads)} | 2,000 ms |"
    )


if __name__ == "__main__":
    main()
