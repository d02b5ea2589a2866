"""Text of `gradcli test`: a block per test that did not simply pass (diffs coloured), then the summary line."""
from __future__ import annotations


def _diff(console, text: str) -> None:
    from rich.text import Text

    styles = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))
    for line in text.splitlines():
        style = next((s for prefix, s in styles if line.startswith(prefix)), None)
        # soft_wrap: a diff line is never re-wrapped at the console width
        console.print(Text(line, style=style or ""), soft_wrap=True)


def render(doc: dict, console) -> None:
    for r in doc["tests"]:
        if r.status == "passed":
            continue
        if r.status == "failed":
            console.print(f"FAILED {r.name}" + (f": {r.message}" if r.message else ""), soft_wrap=True)
            for d in (r.stdout_diff, r.stderr_diff):
                if d:
                    _diff(console, d)
        elif r.status == "updated":
            console.print(f"updated {r.name}: {', '.join(r.updated)}", soft_wrap=True)
        else:
            console.print(f"skipped {r.name}: {r.message}", soft_wrap=True)
    console.print(doc["summary"], soft_wrap=True)
