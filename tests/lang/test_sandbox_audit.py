"""An audit of everything a script can reach by attribute reads from its builtins, its modules and typical
values (three reads deep): nothing of Python's machinery is among it, and type() of each is safe too."""
from __future__ import annotations

import io

import pytest

from gradcli.lang.runner import Session
from gradcli.lang.sandbox import get_attr, script_type

from .test_sandbox_fuzz import PRELUDE, _forbidden

_READABLE_DUNDERS = ("__class__", "__name__", "__qualname__", "__init__", "__call__", "__version__")


def _names(obj):
    """dir(obj), and for an autograd node the `_saved_*` / `_raw_saved_*` views it answers dynamically."""
    saved = getattr(type(obj), "_save_names", ())
    return [*dir(obj), *(p + n for n in saved for p in ("_saved_", "_raw_saved_"))]


def _reachable(depth: int = 3):
    session = Session("audit.grad", stdout=io.StringIO())
    try:
        session.run(PRELUDE + "n = nn.Linear(2, 2)\nopt = torch.optim.SGD(n.parameters(), lr=0.1)\n"
                    "p = x.pow(2)\nq = x.exp() * x\n")  # nodes with saved inputs, results and arguments
        roots = [*session.vm.builtins.items(), *session.vm.modules.items(), *session.globals.items()]
        seen: set[int] = set()
        alive: list = []
        queue = [(name, value, 0) for name, value in roots]
        while queue:
            path, obj, d = queue.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            alive.append(obj)  # an id is unique only while its object lives (bound methods are made per read)
            yield path, obj
            yield f"type({path})", script_type(obj)
            if d >= depth:
                continue
            for name in _names(obj):
                if name.startswith("_") and name not in _READABLE_DUNDERS and not name.startswith(("_saved_", "_raw")):
                    continue
                try:
                    value = get_attr(obj, name)
                except Exception:  # noqa: BLE001  (refused, or a property that needs state: not reachable)
                    continue
                queue.append((f"{path}.{name}", value, d + 1))
    finally:
        session.close()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_nothing_reachable_is_python_machinery():
    found = [(path, why) for path, obj in _reachable() if (why := _forbidden(obj))]
    assert not found, found[:20]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_audit_walks_a_real_graph():
    assert sum(1 for _ in _reachable()) > 1000


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_audit_reads_saved_values_and_the_version():
    paths = {path for path, _ in _reachable()}
    assert {"p.grad_fn._saved_exponent", "p.grad_fn._raw_saved_self.unpack",
            "torch.__version__"} <= paths, sorted(p for p in paths if "saved" in p)[:20]
