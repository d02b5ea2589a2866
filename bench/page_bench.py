"""The stepping page at 1,000 nodes: time to build it (explain, layout, HTML), its size, and the time Chromium
takes to load and draw it and to jump to its last step.

    python bench/page_bench.py                 # a 1,000-op chain sharing two leaves (the layout's worst case)
    python bench/page_bench.py --links 500 --out /tmp/big.html --no-browser

The chain is `y = tanh(y*w + b)` repeated: every link uses w and b, so their AccumulateGrad nodes at the
bottom receive an edge from every layer. Chromium is Debian's (/usr/bin/chromium), driven by playwright.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build(links: int) -> tuple[str, int, float, float]:
    import gradcli
    from gradcli.tools.layered_layout import layered_layout
    from gradcli.tools.stepping_page import _stepping_for_tensor, page_of

    x = gradcli.tensor(0.5, requires_grad=True)
    w = gradcli.tensor(0.9, requires_grad=True)
    b = gradcli.tensor(0.1, requires_grad=True)
    y = x
    for _ in range(links):
        y = gradcli.tanh(y * w + b)
    start = time.perf_counter()
    st = _stepping_for_tensor(y, "y", {"x": x, "w": w, "b": b})
    html = page_of(st)
    total = time.perf_counter() - start
    start = time.perf_counter()
    layered_layout([(n.id, 120, 56) for n in st.nodes], [(e.src, e.dst) for e in st.edges])
    return html, len(st.nodes), total, time.perf_counter() - start


def browse(path: str, chromium: str) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        start = time.perf_counter()
        page.goto(Path(path).as_uri(), wait_until="load")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        page.keyboard.press("End")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        last = time.perf_counter() - start
        browser.close()
    return loaded, last


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--links", type=int, default=333, help="links of the chain (3 ops each; default 333)")
    ap.add_argument("--out", help="keep the page here")
    ap.add_argument("--chromium", default=os.environ.get("GRADCLI_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    html, nodes, took, layout = build(a.links)
    path = a.out or os.path.join(tempfile.mkdtemp(), "page.html")
    Path(path).write_text(html, encoding="utf-8")
    print(f"nodes {nodes}, page {len(html.encode()) / 1e6:.2f} MB, built in {took:.2f} s "
          f"(layout alone {layout:.2f} s)")
    if not a.no_browser:
        loaded, last = browse(path, a.chromium)
        print(f"Chromium: load and draw {loaded:.2f} s, End (last step) {last:.2f} s")


if __name__ == "__main__":
    main()
