"""`--html PATH` of explain and graph, and explain's FILE / --order 2 text: one place that builds the stepping
page's data, then prints the explanation, writes the page, or prints it (`--html -`)."""
from __future__ import annotations

import sys


def explain_or_page(command: str, source: str, html: str | None, render, **options) -> None:
    from gradcli.errors import OptionError
    from gradcli.lang.runner import Limits
    from gradcli.tools.stepping import MAX_PAGE_STEPS, stepping
    from gradcli.tools.stepping_page import page_of, write_page

    from ..options import OPTIONS
    from ..render import emit
    from ..renderers.page import render_written

    if html == "-" and OPTIONS.json:
        raise OptionError("--html - prints the page on stdout, where --json prints its document: use one")
    if html is not None and not html.strip():
        raise OptionError("--html: give a file name such as backward.html, or - for stdout")
    # "-" reads the script from standard input, one byte past the size limit so that limit can speak
    stdin = sys.stdin.buffer.read(Limits().max_source_bytes + 1) if source == "-" else None
    if html is None:
        emit(command, stepping(source, stdin=stdin, **options).explanation, render)
        return
    st = stepping(source, stdin=stdin, max_steps=MAX_PAGE_STEPS, **options)
    text = page_of(st)
    if html == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    emit(command, write_page(text, html, len(st.explanation.steps), len(st.nodes)), render_written)
