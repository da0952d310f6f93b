"""Audit the installed dependencies for known vulnerabilities with pip-audit (``make audit``).

Usage:
    python scripts/audit.py

pip-audit asks the PyPI vulnerability database about every package installed beside
counterflow. Where that database cannot be reached (no network, or a package index mirror that
answers for none of the packages), the audit is skipped with one line saying why, so an offline
``make test`` still passes; a package with a known vulnerability fails it (exit 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def main() -> int:
    """Run pip-audit and print its verdict; return the exit code."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.is_file() or not report.read_text().strip():
            reason = (run.stderr.strip().splitlines() or ["no report written"])[-1]
            print(f"audit skipped: pip-audit could not reach its database ({reason})")
            return 0
        packages = json.loads(report.read_text())["dependencies"]
    code, lines = verdict(packages)
    print("\n".join(lines))
    return code


def verdict(packages: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Exit code and lines for pip-audit's ``dependencies`` (JSON format)."""
    audited = [p for p in packages if "skip_reason" not in p]
    if not audited:
        reason = "offline, or a package index mirror"
        count = len(packages)
        return 0, [
            f"audit skipped: the database answered for none of the {count} packages ({reason})"
        ]
    vulnerable = [p for p in audited if p.get("vulns")]
    lines = [
        f"audit: {p['name']} {p['version']}: {', '.join(v['id'] for v in p['vulns'])}"
        for p in vulnerable
    ]
    if vulnerable:
        return 1, [*lines, "audit failed: upgrade these packages in requirements-lock.txt"]
    skipped = len(packages) - len(audited)
    found = len(audited)
    return 0, [
        f"audit: no known vulnerabilities in {found} packages ({skipped} not in the database)"
    ]


if __name__ == "__main__":
    raise SystemExit(main())
