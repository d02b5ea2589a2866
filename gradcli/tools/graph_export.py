"""A Graph as DOT or Mermaid text (pure, deterministic, labels escaped), and --output files: .dot/.gv,
.mmd, and .svg/.png/.pdf through Graphviz's `dot` when it is installed; files are replaced atomically.

Edges point the way `next_functions` does: from a node to the nodes its gradient flows to next.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gradcli.errors import GradError

from .expression import OptionError

__all__ = ["tensor_text", "title", "node_lines", "edge_label", "limits_note", "drawn_note", "to_dot", "to_mermaid",
           "check_format", "output_format", "write_graph", "Written", "OUTPUT_FORMATS", "GRAPHVIZ_TIMEOUT"]

# --output suffix -> what is written
OUTPUT_FORMATS = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid",
                  ".svg": "svg", ".png": "png", ".pdf": "pdf"}
GRAPHVIZ_TIMEOUT = 60.0  # seconds; a huge graph makes dot crawl, and a hung command helps nobody
_LIMIT_FLAG = {"max_depth": "--max-depth", "max_nodes": "--max-nodes"}


def tensor_text(t) -> str:
    """torch's print of a tensor, without the `tensor(...)` wrapper for a 0-d one (`6.`, not `tensor(6.)`)."""
    if t is None:
        return "None"
    if isinstance(t, list):
        return "(" + ", ".join(tensor_text(x) for x in t) + ")"
    text = repr(t.detach())
    if t.dim() == 0 and text.startswith("tensor(") and "\n" not in text:
        return text[len("tensor("):-1]
    return text


def title(n, graph) -> str:
    """The node's headline: `a = AddBackward0`, `x  AccumulateGrad`, or the bare name."""
    names = ", ".join(n.variables)
    if n.leaf:
        if names:
            return f"{names}  {n.name}"
        return f"{n.name}  (unnamed leaf, shape {n.shape})"
    return f"{names} = {n.name}" if names else n.name


def node_lines(n, graph) -> list[tuple[str, str]]:
    """The (label, text) pairs shown under a node with --values / --grads."""
    out = []
    if graph.values and n.value is not None:  # known where a variable holds the tensor
        out.append(("value", tensor_text(n.value)))
    if graph.grads:
        out.append(("grad", tensor_text(n.grad)))
    return out


def edge_label(index: int, input_nr: int) -> str:
    """`0`, or `1 (input_nr=2)` when the edge feeds an output other than the first of a multi-output node."""
    return str(index) if input_nr == 0 else f"{index} (input_nr={input_nr})"


def limits_note(graph) -> str | None:
    """`showing 41 of 100002 nodes (--max-depth 40); 0 shows all`, or None when nothing is hidden."""
    if not graph.limited_by:
        return None
    flags = ", ".join(f"{_LIMIT_FLAG[k]} {getattr(graph, k)}" for k in graph.limited_by)
    return (f"showing {len(graph.nodes)} of {graph.total_nodes} nodes ({flags}); raise it, or give 0 "
            "to show all")


def drawn_note(graph) -> str | None:
    """Which shown values came from the seed, and how to set them: only worth saying when values show."""
    if not graph.drawn or not (graph.values or graph.grads):
        return None
    names = ", ".join(graph.drawn)
    return f"{names} drawn with seed {graph.seed}; set {'it' if len(graph.drawn) == 1 else 'them'} with --at " \
           f"{graph.drawn[0]}=..."


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---- DOT ---------------------------------------------------------------------------------------------


def _dot_string(text: str, left: bool = False) -> str:
    """A DOT quoted string: backslash first (so `\\N`, `\\G` stay literal), quotes; lines end in `\\l`
    (left-justified) when `left`, else `\\n` (centred)."""
    lines = text.replace("\r", "").split("\n")
    esc = [ln.replace("\\", "\\\\").replace('"', '\\"') for ln in lines]
    if not left:
        return '"' + "\\n".join(esc) + '"'
    return '"' + "\\l".join(esc) + '\\l"'  # \l: left-justified lines keep tensor columns aligned


def _label(n, graph) -> str:
    head = title(n, graph).replace("  ", "\n", 1) if n.leaf else title(n, graph)
    lines = [head]
    for label, text in node_lines(n, graph):
        lines.append(f"{label}: " + text.replace("\n", "\n" + " " * (len(label) + 2)))
    return "\n".join(lines)


def _notes(graph) -> list[str]:
    """The comment lines both text formats open with."""
    return [x for x in (graph.note, drawn_note(graph), limits_note(graph),
                        graph.grad_of and f"grad = d({graph.grad_of})/d(the tensor each node made)") if x]


def _edges(graph):
    """Every edge once, for both text formats: (source id, target id, kind, label, hidden text). kind is
    node (an edge to a shown node), none (a None edge, drawn to its own mark) or hidden (a node not shown)."""
    for n in graph.nodes:
        for k, e in enumerate(n.edges):
            label = edge_label(k, e.input_nr)
            if e.to is not None:
                yield f"n{n.id}", f"n{e.to}", "node", label, None
            elif e.elided is None:
                yield f"n{n.id}", f"none{n.id}_{k}", "none", label, None
            else:
                yield f"n{n.id}", f"hidden{n.id}_{k}", "hidden", label, e.elided + "\n(not shown)"


def to_dot(graph) -> str:
    """Graphviz DOT: one box per node, shared nodes once, None edges and hidden nodes as their own marks."""
    out = ["digraph gradcli {",
           f"  // gradcli graph of {_one_line(graph.root)}: {_one_line(graph.source)}",
           "  // edges follow next_functions, labelled by position (and input_nr when it is not 0)"]
    out += [f"  // {_one_line(extra)}" for extra in _notes(graph)]
    out += ['  graph [rankdir=TB];', '  node [shape=box, fontname="monospace"];',
            '  edge [fontname="monospace", fontsize=10];']
    for n in graph.nodes:
        style = ""
        if n.leaf:
            style = ", style=filled, fillcolor=lightblue"
        elif n.id == 0:
            style = ", style=filled, fillcolor=darkolivegreen1"
        label = _label(n, graph)
        left = any("\n" in text for _, text in node_lines(n, graph))  # a tensor's rows must stay aligned
        out.append(f"  n{n.id} [label={_dot_string(label, left)}{style}];")
    for src, dst, kind, label, hidden in _edges(graph):
        label = f"label={_dot_string(label)}"
        if kind == "node":
            out.append(f"  {src} -> {dst} [{label}];")
        elif kind == "none":
            out.append(f'  {dst} [label="None", shape=plaintext, fontcolor=gray40];')
            out.append(f"  {src} -> {dst} [{label}];")
        else:
            out.append(f"  {dst} [label={_dot_string(hidden)}, style=dashed];")
            out.append(f"  {src} -> {dst} [{label}, style=dashed];")
    out.append("}")
    return "\n".join(out) + "\n"


# ---- Mermaid -----------------------------------------------------------------------------------------

_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
                    "\\": "#92;", "|": "#124;"}


def _mermaid_string(text: str) -> str:
    """A Mermaid quoted label: entity codes for the characters Mermaid or HTML would read, <br/> for lines."""
    lines = text.replace("\r", "").split("\n")
    esc = ["".join(_MERMAID_ESCAPES.get(c, c) for c in ln) for ln in lines]
    return '"' + "<br/>".join(esc) + '"'


def to_mermaid(graph) -> str:
    """A Mermaid flowchart (top-down), the same nodes and edges as the DOT export."""
    out = ["flowchart TD", f"  %% gradcli graph of {_comment(graph.root)}: {_comment(graph.source)}"]
    out += [f"  %% {_comment(extra)}" for extra in _notes(graph)]
    for n in graph.nodes:
        text = _mermaid_string(_label(n, graph))
        out.append(f"  n{n.id}([{text}])" if n.leaf else f"  n{n.id}[{text}]")
    for src, dst, kind, label, hidden in _edges(graph):
        label = f"|{_mermaid_string(label)}|"
        if kind == "node":
            out.append(f"  {src} -->{label} {dst}")
        elif kind == "none":
            out.append(f'  {dst}["None"]')
            out.append(f"  {src} -->{label} {dst}")
        else:
            out.append(f"  {dst}[{_mermaid_string(hidden)}]")
            out.append(f"  {src} -.->{label} {dst}")
    leaves = [f"n{n.id}" for n in graph.nodes if n.leaf]
    out.append("  classDef leaf fill:#add8e6,stroke:#333")
    out.append("  classDef root fill:#caff70,stroke:#333")
    out.append("  class n0 root")
    if leaves:
        out.append(f"  class {','.join(leaves)} leaf")
    return "\n".join(out) + "\n"


def _comment(text: str) -> str:
    # a %% comment ends at the line end, and `%%{` would start a directive
    return _one_line(text).replace("%%", "% %").replace("{", "(").replace("}", ")")


# ---- --output --------------------------------------------------------------------------------------


@dataclass
class Written:
    """What --output did: the path as the user gave it (never made absolute), the format, node count."""

    path: str
    format: str
    nodes: int
    replaced: bool  # an existing file was replaced
    note: str | None = None


def output_format(path: str) -> str:
    """The format an --output path asks for, from its suffix; an OptionError for any other suffix."""
    if Path(path).is_dir():
        raise GradError(f"cannot write {path}: it is a directory; give a file name such as {path}/graph.svg")
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise OptionError(f"--output {path}: unknown file type '{suffix or '(none)'}'; use one of "
                          f"{', '.join(OUTPUT_FORMATS)}")
    return OUTPUT_FORMATS[suffix]


def check_format(fmt: str | None, output: str | None) -> None:
    """--format and --output together: a known format, a known suffix, and no contradiction between them."""
    if fmt is not None and fmt not in ("tree", "dot", "mermaid", "json"):
        hint = f" (for a picture, write a file: --output graph.{fmt})" if fmt in ("svg", "png", "pdf") else ""
        raise OptionError(f"--format {fmt}: expected tree, dot, mermaid or json{hint}")
    if output is not None:
        wanted = output_format(output)
        if fmt not in (None, "tree", "json") and fmt != wanted:
            raise OptionError(f"--format {fmt} and --output {output} disagree: the file's suffix picks its format "
                              f"({wanted}); drop --format")


def write_graph(graph, path: str) -> Written:
    """Write graph to path in the format its suffix names; the file appears whole or not at all."""
    fmt = output_format(path)
    target = Path(path)
    if fmt in ("svg", "png", "pdf"):
        dot = shutil.which("dot")
        if dot is None:
            raise GradError(f"--output {path}: writing .{fmt} needs Graphviz's `dot` program, which is not on "
                            "PATH. Install Graphviz (apt-get install graphviz, or brew install graphviz), or "
                            f"write DOT text instead: --output {target.with_suffix('.dot')} or --format dot")
        data = _graphviz(dot, to_dot(graph), fmt, path)
    else:
        data = (to_dot(graph) if fmt == "dot" else to_mermaid(graph)).encode("utf-8")
    replaced = target.exists()
    _atomic_write(target, data, path)
    return Written(path, fmt, len(graph.nodes), replaced, graph.note)


def _graphviz(dot: str, source: str, fmt: str, path: str) -> bytes:
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=GRAPHVIZ_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise GradError(f"--output {path}: Graphviz took more than {GRAPHVIZ_TIMEOUT:.0f} s; draw fewer nodes "
                        "(--max-nodes, --max-depth) or write DOT text with --format dot") from None
    except OSError as e:
        raise GradError(f"--output {path}: cannot run Graphviz's dot: {e.strerror or e}") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GradError(f"--output {path}: Graphviz's dot failed (exit {done.returncode})"
                        + (f": {reason[0]}" if reason else ""))
    return done.stdout


def _atomic_write(target: Path, data: bytes, shown: str) -> None:
    """Write to a temporary file beside target, then rename over it: a failure leaves no half file."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise GradError(f"cannot write {shown}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _mode(target))  # mkstemp makes 0600; an exported picture is an ordinary file
        os.replace(tmp, target)
    except BaseException as e:  # also Ctrl-C: never leave the temporary file behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise GradError(f"cannot write {shown}: {e.strerror or e}") from None
        raise


def _mode(target: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
