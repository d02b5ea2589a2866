"""Text of `gradcli graph`: the next_functions tree (shared nodes drawn once, then referenced by #id), or the
DOT/Mermaid export verbatim, or what --output wrote."""
from __future__ import annotations

from gradcli.tools.graph_export import drawn_note, limits_note, node_lines, title

# Past this many levels a subtree starts again at the left margin: the indentation of a 10^5-deep chain
# would otherwise make the output quadratic in its depth.
INDENT_CAP = 100


def render(graph, console) -> None:
    # Plain text, no styles: written to the console's stream directly, because rich's line handling costs
    # seconds on the megabytes a 10^5-node graph makes.
    if graph.text is not None:
        console.file.write(graph.text)
        return
    console.file.write("\n".join(tree_lines(graph)) + "\n")


def render_written(written, console) -> None:
    replaced = ", replaced the existing file" if written.replaced else ""
    if written.note:
        console.out(written.note, highlight=False)
    console.out(f"wrote {written.path} ({written.format}, {written.nodes} nodes{replaced})", highlight=False)


def _tag(n) -> str:
    return f"  #{n.id}" if n.parents > 1 else ""


def _nr(input_nr: int) -> str:
    return f"  input_nr={input_nr}" if input_nr else ""


def _describe(n, graph, head: str, cont: str, out: list[str]) -> None:
    """Append the node's line: values inline when each is one line, else as a block under the node."""
    details = node_lines(n, graph)
    if all("\n" not in text for _, text in details):
        out.append(head + "".join(f"  {label}={text}" for label, text in details))
        return
    out.append(head)
    for label, text in details:
        first, *rest = text.split("\n")
        out.append(f"{cont}{label}={first}")
        pad = cont + " " * (len(label) + 1)
        out.extend(pad + line for line in rest)


def tree_lines(graph) -> list[str]:
    """The tree, depth-first in next_functions order, iteratively (graphs can be 10^5 deep)."""
    nodes = graph.nodes
    out: list[str] = []
    if graph.note:
        out.append(f"({graph.note})")
    root = nodes[0]
    _describe(root, graph, title(root, graph) + _tag(root), "│  " if root.edges else "   ", out)
    expanded = {0}
    stack = [(e, k, "", k == len(root.edges) - 1, 1) for k, e in reversed(list(enumerate(root.edges)))]
    while stack:
        e, k, prefix, last, depth = stack.pop()
        head = f"{prefix}{'└─ ' if last else '├─ '}[{k}] "
        if e.to is None:
            out.append(head + ("None" if e.elided is None else f"{e.elided}  … (not shown)") + _nr(e.input_nr))
            continue
        n = nodes[e.to]
        if n.id in expanded:
            out.append(f"{head}{title(n, graph)}{_nr(e.input_nr)}  #{n.id} (shared, see above)")
            continue
        expanded.add(n.id)
        child = prefix + ("   " if last else "│  ")
        restart = depth % INDENT_CAP == 0 and bool(n.edges)
        tag = f"  #{n.id}" if restart or n.parents > 1 else ""
        _describe(n, graph, f"{head}{title(n, graph)}{_nr(e.input_nr)}{tag}", child + ("│  " if n.edges else "   "),
                  out)
        if restart:
            out.append(f"{child}┆ {depth} levels deep: the subtree of #{n.id} continues at the left margin")
            child = ""
        for j in range(len(n.edges) - 1, -1, -1):
            stack.append((n.edges[j], j, child, j == len(n.edges) - 1, depth + 1))
    for line in (drawn_note(graph), limits_note(graph),
                 graph.grad_of and f"grad = d({graph.grad_of})/d(the tensor each node made)"):
        if line:
            out.append(f"({line})")
    return out
