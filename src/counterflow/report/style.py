"""The reports' style sheet (inline: the page holds everything it shows), screen and A4 print."""

from __future__ import annotations

__all__ = ["STYLE"]

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;padding:0 1rem;color:#222;max-width:1100px;
line-height:1.4}
h1{font-size:1.6rem} h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin:1.4rem 0 .3rem}
table{border-collapse:collapse;font-size:.82rem}
caption{text-align:left;font-size:.82rem;color:#444;padding:.2rem 0;caption-side:top}
td,th{border-bottom:1px solid #ddd;padding:.3rem .45rem;text-align:right;vertical-align:top;
overflow-wrap:break-word}
th{font-weight:600;min-width:4.5rem}
th:first-child,td:first-child,td.text{text-align:left}
td.label{min-width:9rem;max-width:16rem}
.nc{color:#777} .note{color:#444;font-size:.85rem} small{color:#555}
.wide{overflow-x:auto;margin:.5rem 0}
.swatch{display:inline-block;width:.7rem;height:.7rem;margin-right:.35rem;border-radius:2px}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:.82rem}
.legend li{display:flex;align-items:center;gap:.3rem;max-width:22rem}
.pair{display:flex;flex-wrap:wrap;gap:1rem} figure{margin:.3rem 0}
svg{max-width:100%;height:auto}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(232px,1fr));gap:.4rem .8rem}
.panel figcaption{font-size:.8rem;font-weight:600;min-height:2.2em}
.axis-note{font-size:.8rem;color:#444}
.map-switch{position:absolute;opacity:0;width:1px;height:1px}
.switch{display:flex;flex-wrap:wrap;gap:.3rem;margin:.5rem 0}
.switch label{border:1px solid #999;border-radius:1rem;padding:.15rem .7rem;font-size:.8rem;
cursor:pointer;background:#fff}
.map-switch:focus-visible+*{outline:2px solid #0072B2}
details{margin:.4rem 0} summary{cursor:pointer}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.75rem;background:#f6f6f6;padding:.5rem}
@media print{
@page{size:A4;margin:14mm}
body{margin:0;max-width:none;font-size:10pt}
h2{break-after:avoid} figure,tr,.panel{break-inside:avoid}
.switch{display:none}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}
.wide{overflow:visible}
table{font-size:7pt} td,th{overflow-wrap:anywhere;padding:.15rem .25rem}
}
"""
