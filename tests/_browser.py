"""Headless Chromium for the browser tests: launch it offline, open a page, read what happened.

Chromium and chromedriver come from Debian's packages (``chromium``, ``chromium-driver``); the
driver is never looked up or downloaded: Selenium Manager is switched off while the driver
starts, so a missing binary fails instead of fetching one. ``make browser`` installs both
(docs/development.md, "Browser tests").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW_WIDTH_PX = 1280
WINDOW_HEIGHT_PX = 900
# Chromium cannot paint a taller window into one screenshot (its largest texture).
SCREENSHOT_MAX_HEIGHT_PX = 16_000
# Offline: without these flags Chromium calls Google's hosts on start (updates, sync, trials).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WINDOW_WIDTH_PX},{WINDOW_HEIGHT_PX}",
)
PAGE_LOAD_TIMEOUT_S = 30
INSTALL_HINT = (
    "install them with `make browser` (apt-get install chromium chromium-driver, as root)"
)

# Text that must fit its box: displayed elements of these kinds, each tested by its scroll width
# (an inline one, which has none, by its line boxes against its parent's box).
TEXT_BOXES = "th, td, caption, figcaption, label, p, li, h1, h2, h3, summary"

_OVERFLOWING_TEXT_JS = """
const out = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (el.getClientRects().length === 0) continue;  // not displayed
  const style = getComputedStyle(el);
  if (style.visibility !== 'visible') continue;
  const text = () => el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 100);
  const tag = el.tagName.toLowerCase();
  if (style.display === 'inline') {
    // an inline box has no scroll width: its line boxes must lie within its parent's box
    const box = el.parentElement.getBoundingClientRect();
    for (const line of el.getClientRects()) {
      if (line.left < box.left - 1 || line.right > box.right + 1) {
        out.push(`<${tag}> ${Math.round(line.width)} px wide, out of its parent's `
          + `${Math.round(box.width)} px: ${text()}`);
        break;
      }
    }
  } else if (el.scrollWidth > el.clientWidth + 1) {
    out.push(`<${tag}> ${el.scrollWidth} px in ${el.clientWidth} px: ${text()}`);
  }
}
return out;
"""

_SVG_TEXT_OUTSIDE_JS = """
const out = [];
for (const text of document.querySelectorAll('svg text')) {
  const r = text.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;  // not displayed
  const svg = text.ownerSVGElement;
  if (svg === null) continue;
  const s = svg.getBoundingClientRect();
  const tol = 1;
  if (r.left < s.left - tol || r.right > s.right + tol
      || r.top < s.top - tol || r.bottom > s.bottom + tol) {
    const where = (svg.closest('[id]') || {id: '(no id)'}).id;
    const box = (q) => `${Math.round(q.left)}..${Math.round(q.right)} x `
      + `${Math.round(q.top)}..${Math.round(q.bottom)}`;
    out.push(`svg text in #${where} at ${box(r)} outside its svg ${box(s)}: `
      + text.textContent.trim().slice(0, 100));
  }
}
return out;
"""

_DISPLAYED_JS = """
const el = arguments[0];
if (getComputedStyle(el).visibility !== 'visible') return false;
for (let node = el; node instanceof Element; node = node.parentElement) {
  if (getComputedStyle(node).display === 'none') return false;
}
return true;
"""


@dataclass(frozen=True)
class PageVisit:
    """What one load of a page did, read from Chromium's logs.

    Attributes:
        url: the page's ``file://`` URL.
        console_errors: messages of the console entries at level SEVERE (script errors,
            ``console.error``, resources that failed to load).
        requested_urls: every URL of a ``Network.requestWillBeSent`` event, the page's own
            included, in the order they were sent.
        load_ms: ``performance.timing.loadEventEnd - navigationStart``.
    """

    url: str
    console_errors: tuple[str, ...]
    requested_urls: tuple[str, ...]
    load_ms: float

    def foreign_requests(self) -> list[str]:
        """Requested URLs other than the page itself and ``data:`` URLs."""
        return foreign_requests(self.requested_urls, self.url)


def foreign_requests(urls: Iterable[str], page_url: str) -> list[str]:
    """The ``urls`` other than ``page_url`` and ``data:`` URLs: requests that left the page."""
    return [url for url in urls if url != page_url and not url.startswith("data:")]


def missing_binaries(binaries: tuple[Path, ...] = (CHROMIUM, CHROMEDRIVER)) -> list[Path]:
    """The ``binaries`` (Chromium and chromedriver) that are not installed."""
    return [path for path in binaries if not path.is_file()]


def require_browser(binaries: tuple[Path, ...] = (CHROMIUM, CHROMEDRIVER)) -> None:
    """Skip, or fail under CI, when Chromium, chromedriver or selenium is missing.

    A developer machine without them skips with the reason; where ``CI`` is set (to anything
    but the empty string) the browser tests must run, so a missing one fails the test.
    """
    missing = [str(path) for path in missing_binaries(binaries)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the Python package selenium (the `test` extra)")
    if not missing:
        return
    message = f"the browser tests need {' and '.join(missing)}: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so the browser tests must run, but {message}", pytrace=False)
    pytest.skip(message)


@contextmanager
def _without_selenium_manager() -> Iterator[None]:
    """Refuse any call to Selenium Manager (it would download a browser) while inside."""
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AssertionError("Selenium Manager was called; pass the driver's path instead")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_AVOID_STATS", "true")
        patch.setattr(SeleniumManager, "binary_paths", refuse)
        yield


def launch_chromium(user_data_dir: Path) -> WebDriver:
    """Headless Chromium under chromedriver, offline flags, a fresh profile in ``user_data_dir``.

    Returns:
        The ``selenium.webdriver.Chrome`` driver; the caller quits it.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    with _without_selenium_manager():
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    driver.get("about:blank")  # leave the new-tab page, which keeps working in the background
    return driver


def open_page(driver: WebDriver, path: Path) -> PageVisit:
    """Load ``path`` in a clean window and return what the load did.

    The window first goes to ``about:blank`` (Chromium starts on its new-tab page, which loads
    ``chrome://`` resources) and both logs are drained, so the visit holds this page only.
    """
    from selenium.webdriver.support.wait import WebDriverWait

    driver.set_window_size(WINDOW_WIDTH_PX, WINDOW_HEIGHT_PX)
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    url = path.resolve().as_uri()
    driver.get(url)
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT_S).until(
        lambda d: d.execute_script("return performance.timing.loadEventEnd") > 0
    )
    load_ms = driver.execute_script(
        "return performance.timing.loadEventEnd - performance.timing.navigationStart"
    )
    return PageVisit(
        url=url,
        console_errors=tuple(console_errors(driver)),
        requested_urls=tuple(requested_urls(driver)),
        load_ms=float(load_ms),
    )


def console_errors(driver: WebDriver) -> list[str]:
    """Console entries at level SEVERE since the last read of the browser log."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def requested_urls(driver: WebDriver) -> list[str]:
    """URLs of ``Network.requestWillBeSent`` since the last read of the performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def overflowing_text(driver: WebDriver) -> list[str]:
    """Displayed text boxes (:data:`TEXT_BOXES`) whose content is wider than the box."""
    result: list[str] = driver.execute_script(_OVERFLOWING_TEXT_JS, TEXT_BOXES)
    return result


def svg_text_outside(driver: WebDriver) -> list[str]:
    """Displayed SVG ``text`` elements not inside their owner ``svg``'s box (1 px tolerance)."""
    result: list[str] = driver.execute_script(_SVG_TEXT_OUTSIDE_JS)
    return result


def is_displayed(driver: WebDriver, element: WebElement) -> bool:
    """Whether neither the element nor an ancestor has ``display: none`` and it is visible.

    Unlike Selenium's ``is_displayed`` this does not ask for a size, so an SVG group with
    nothing to draw still counts as shown.
    """
    return bool(driver.execute_script(_DISPLAYED_JS, element))


def save_full_page_screenshot(driver: WebDriver, path: Path) -> Path:
    """Save a PNG of the whole page (window stretched to the document's height) at ``path``."""
    height_px = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
        " + window.outerHeight - window.innerHeight"  # the window's frame, headless or not
    )
    driver.set_window_size(WINDOW_WIDTH_PX, min(int(height_px), SCREENSHOT_MAX_HEIGHT_PX))
    try:
        if not driver.save_screenshot(str(path)):
            raise AssertionError(f"Chromium wrote no screenshot to {path}")
    finally:
        driver.set_window_size(WINDOW_WIDTH_PX, WINDOW_HEIGHT_PX)
    return path
