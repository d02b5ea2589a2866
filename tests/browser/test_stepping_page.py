"""The golden stepping pages (samples/html) in a real Chromium, headless: click Next through every step and
check, at each one, that the numbers the page shows are `gradcli --json explain`'s for the same arguments,
that the drawing marks the node and edges the step names; then the keys, the dark theme and print.

Needs the `browser` extra (playwright, driving the system's Chromium: /usr/bin/chromium, Debian's package
`chromium`; never `playwright install`). Without them the tests skip, except under
GRADCLI_REQUIRE_BROWSER=1 (set by .ci/run), where they fail. Screenshots of every step go to
tests/browser/artifacts/ (or $GRADCLI_BROWSER_ARTIFACTS).
"""
from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "samples" / "html"
CHROMIUM = os.environ.get("GRADCLI_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("GRADCLI_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(os.environ.get("GRADCLI_BROWSER_ARTIFACTS", ROOT / "tests" / "browser" / "artifacts"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def golden_pages() -> list[tuple[str, list[str]]]:
    out = []
    for line in (PAGES / "pages.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, args = line.split("\t", 1)
            out.append((name, shlex.split(args)))
    return out


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (GRADCLI_REQUIRE_BROWSER=1: the browser test must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[browser]'")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set GRADCLI_CHROMIUM)")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as e:  # noqa: BLE001 - any launch failure means: no browser here
            unavailable(f"Chromium at {CHROMIUM} did not start: {str(e).splitlines()[0]}")
        yield b
        b.close()


def explain_json(args: list[str]) -> dict:
    """What `gradcli --json explain ARGS` prints, the page's --html left out."""
    from typer.testing import CliRunner

    from gradcli.cli.app import app
    from gradcli.cli.options import OPTIONS

    i = args.index("--html")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        r = CliRunner().invoke(app, ["--json", *args[:i], *args[i + 2:]])
    finally:
        os.chdir(cwd)
        OPTIONS.json = False
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["result"]


def open_page(browser, name: str, **context):
    ctx = browser.new_context(viewport={"width": 1100, "height": 720}, **context)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:"))
            else None)
    page.goto((PAGES / name).as_uri())
    return ctx, page, problems


def values(locator) -> list:
    return [json.loads(v) for v in locator.evaluate_all("els => els.map(e => e.getAttribute('value'))")]


def shown(page):
    return page.locator("section.frame:not([hidden])")


@pytest.mark.parametrize("name,args", golden_pages(), ids=[n for n, _ in golden_pages()])
def test_clicking_through_every_step_shows_explains_numbers(browser, name, args):
    doc = explain_json(args)
    steps, sums = doc["steps"], doc["sums"]
    ctx, page, problems = open_page(browser, name)
    data = json.loads(page.locator("#gradcli-data").text_content())
    assert data["explain"] == doc  # the island is the --json document
    frames = data["frames"]
    assert len(frames) == len(steps) + 2
    out = ARTIFACTS / name.removesuffix(".html")
    out.mkdir(parents=True, exist_ok=True)
    items = shown(page).locator("li[data-leaf]")
    leaves = {items.nth(i).get_attribute("data-leaf"): values(items.nth(i).locator("data.leaf"))[0]
              for i in range(items.count())}
    assert leaves == {name: leaf["values"] for name, leaf in doc["leaves"].items()}
    for k in range(len(frames)):
        if k:
            page.click("#next")
        section = shown(page)
        assert section.count() == 1 and section.get_attribute("data-frame") == str(k)
        assert page.locator("#pos").text_content() == f"Step {k} of {len(frames) - 1}"
        page.screenshot(path=str(out / f"step-{k:02d}.png"))
        active = page.locator("svg .node.active")
        flowing = sorted(page.locator("svg .edge.flow").evaluate_all("els => els.map(e => e.id)"))
        assert flowing == sorted(frames[k]["edges"])
        if 0 < k <= len(steps):
            step = steps[k - 1]
            assert active.count() == 1 and active.get_attribute("id") == frames[k]["active"]
            assert step["op"] in active.text_content() and step["name"] in active.text_content()
            assert values(section.locator("data.incoming")) == [step["incoming"]["values"]]
            items = section.locator("li.edge-step")
            assert items.count() == len(step["edges"])
            for j, edge in enumerate(step["edges"]):
                item = items.nth(j)
                assert f"to {edge['to']} " in item.text_content()
                assert values(item.locator("data.local")) == [edge["local_value"]["values"]]
                assert values(item.locator("data.sent")) == [edge["sent"]["values"]]
            # the labels on the edges it sends along are the numbers it sends
            for eid, edge in zip(frames[k]["edges"], step["edges"]):
                label = page.locator(f"svg #{eid} .elabel")
                assert label.is_visible()
        else:
            assert active.count() == 0
    # the last frame: every leaf's .grad, its terms, and the leaves' labels in the drawing
    assert values(shown(page).locator("data.total")) == [s["total"]["values"] for s in sums]
    for s in sums:
        assert len(values(shown(page).locator("data.term"))) >= len(s["terms"]) > 0 or not s["terms"]
    assert page.locator("#next").is_disabled() and not page.locator("#prev").is_disabled()
    grads = page.locator("svg .node.leaf text.grad").evaluate_all("els => els.map(e => e.textContent)")
    assert all(g.startswith("grad ") for g in grads), grads
    assert problems == []
    print(f"\nscreenshots: {out}")
    ctx.close()


def test_keys_step_and_the_buttons_take_focus(browser):
    ctx, page, problems = open_page(browser, "seed_example.html")
    last = len(json.loads(page.locator("#gradcli-data").text_content())["frames"]) - 1
    pos = page.locator("#pos")
    page.keyboard.press("ArrowRight")
    assert pos.text_content() == f"Step 1 of {last}"
    page.keyboard.press("ArrowLeft")
    assert pos.text_content() == f"Step 0 of {last}"
    page.keyboard.press("ArrowLeft")  # stays at the first
    assert pos.text_content() == f"Step 0 of {last}"
    page.keyboard.press("End")
    assert pos.text_content() == f"Step {last} of {last}"
    page.keyboard.press("Home")
    assert pos.text_content() == f"Step 0 of {last}"
    page.keyboard.press("Tab")  # Prev is disabled at step 0: the first stop is Next
    assert page.evaluate("document.activeElement.id") == "next"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # the focus is visible
    page.keyboard.press("Enter")
    assert pos.text_content() == f"Step 1 of {last}"
    assert page.get_attribute("#next", "aria-label") and page.get_attribute("#prev", "aria-label")
    page.click("svg .node[data-step='2']")  # a node jumps to its step
    assert pos.text_content() == f"Step 3 of {last}"
    assert problems == []
    ctx.close()


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_follows_the_system_and_stays_readable(browser, scheme):
    ctx, page, problems = open_page(browser, "seed_example.html", color_scheme=scheme)
    page.keyboard.press("ArrowRight")
    bg = _luminance(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    fg = _luminance(page.evaluate("getComputedStyle(document.body).color"))
    label = _luminance(page.evaluate("getComputedStyle(document.querySelector('svg .node text.title')).fill"))
    assert (bg > 0.8) if scheme == "light" else (bg < 0.2)
    assert abs(fg - bg) > 0.6 and abs(label - bg) > 0.5
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seed_example-{scheme}.png"))
    assert problems == []
    ctx.close()


def test_print_shows_every_step(browser):
    ctx, page, problems = open_page(browser, "order2_cubic.html")
    frames = page.locator("section.frame")
    assert shown(page).count() == 1
    page.emulate_media(media="print")
    assert all(frames.nth(i).is_visible() for i in range(frames.count()))
    assert not page.locator("#next").is_visible()
    assert page.locator("svg .elabel").first.is_visible()  # every edge's number, on paper
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "order2_cubic.pdf"))
    assert problems == []
    ctx.close()
