"""Text of `gradcli train`: the live progress on stderr, the summary table, and --print-config."""
from __future__ import annotations

import time

_SKIP = ("unit", "step")
_SHORT = {"accuracy": "acc", "val_accuracy": "val_acc"}


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return "-" if v is None else str(v)


class Progress:
    """The `on_event` callback of a run: a rich progress bar when stderr is a terminal, else one plain
    line per logged row (logs and CI keep every row, a terminal keeps one live line)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar = None
        self.task = None
        self.console = None
        self.unit = ""
        self.total = 0
        self.t0 = time.perf_counter()

    def __enter__(self):
        if self.enabled:
            from ..console import make_console
            self.console = make_console(stderr=True)
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False

    def event(self, kind: str, payload: dict) -> None:
        if not self.enabled:
            return
        if kind == "start":
            self.unit, self.total = payload["unit"], payload["total"]
            if payload["start"]:
                self.console.print(f"resuming at {self.unit[:-1]} {payload['start']} of {self.total}", soft_wrap=True)
            if self.console.is_terminal:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, \
                    TimeElapsedColumn
                self.bar = Bar(TextColumn(self.unit), BarColumn(bar_width=20), MofNCompleteColumn(),
                               TimeElapsedColumn(), TextColumn("{task.fields[metrics]}"),
                               console=self.console.rich, transient=False)
                self.task = self.bar.add_task("train", total=self.total, completed=payload["start"], metrics="")
                self.bar.start()
        elif kind == "row":
            text = "  ".join(f"{k} {_fmt(v)}" for k, v in payload.items() if k not in _SKIP)
            if self.bar is not None:  # one live line: short names, 4 digits
                short = " ".join(f"{_SHORT.get(k, k)} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                 for k, v in payload.items() if k not in _SKIP)
                self.bar.update(self.task, metrics=short)
            else:
                rate = payload["step"] / max(time.perf_counter() - self.t0, 1e-9)
                self.console.print(f"{self.unit[:-1]} {payload['unit']}/{self.total}  {text}  ({rate:.0f} steps/s)", soft_wrap=True)
        elif kind == "unit" and self.bar is not None:
            self.bar.update(self.task, completed=payload["units_done"])


def render(summary: dict, console) -> None:
    """Label/value lines (not a rich Table, whose cells pad every line to the widest value)."""
    rows = [("status", summary["status"] + (f": {summary['stop_reason']}" if summary["stop_reason"] else "")),
            (summary["unit"], f"{summary['units_done']} of {summary['units_total']}"
             + (f" (resumed at {summary['resumed_from']})" if summary["resumed_from"] is not None else "")),
            ("optimizer steps", str(summary["steps_done"]))]
    rows += [(k, _fmt(v)) for k, v in summary["final"].items()]
    best = summary["best"]
    if best["value"] is not None:
        rows.append(("best", f"{best['metric']} {_fmt(best['value'])} at {summary['unit'][:-1]} {best['unit']}"))
    rows.append(("run directory", summary["run_dir"]))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        console.print(f"{k.ljust(width)}  {v}", soft_wrap=True)


def render_config(doc: dict, console) -> None:
    from gradcli.train import to_toml
    console.print(to_toml(doc["config"]), end="", soft_wrap=True)
