"""The reports' shared style sheet (inline CSS; no font or CDN)."""

from __future__ import annotations

__all__ = ["STYLE"]

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left} .nc{color:#999} .note{color:#555;font-size:.85rem}
small{color:#777}
"""
