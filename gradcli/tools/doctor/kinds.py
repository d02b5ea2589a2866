"""The error kinds the doctor knows: each reads torch's message and the recorded run, says why in the
script's own lines, and proposes the smallest fixes (tried in order by the doctor's re-runs)."""
from __future__ import annotations

import re

from gradcli.autograd import observer as obs
from gradcli.autograd.tensor import Tensor
from gradcli.lang import ast as A

from . import edits as E
from .edits import Tree
from .model import Finding, Fix
from .record import Run

CREATION = {"tensor", "randn", "rand", "zeros", "ones", "empty", "full", "arange", "linspace", "normal",
            "randint", "eye", "zeros_like", "ones_like", "randn_like", "rand_like", "full_like", "as_tensor"}
NONLEAF_GRAD = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


def find(run: Run, tree: Tree) -> Finding | None:
    """The finding for the run's error (or, for a run that ended, for its first autograd warning)."""
    if run.error is None:
        for line, category, message in run.warnings:
            if message.startswith(NONLEAF_GRAD):
                return nonleaf_grad(run, tree, line)
        return None
    message = run.error.message
    line = run.error.span.line if run.error.span is not None else 0
    for pattern, handler in HANDLERS:
        m = re.search(pattern, message)
        if m:
            return handler(run, tree, line, m)
    return None


# ---- helpers ---------------------------------------------------------------------------------------
def _graph(tensors) -> list:
    """Every node reachable from the tensors' grad_fns (iteratively), latest-made first."""
    seen, stack = {}, [t.grad_fn for t in tensors if isinstance(t, Tensor) and t.grad_fn is not None]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(nxt for nxt, _ in n.next_functions)
    return sorted(seen.values(), key=obs.order, reverse=True)


def _failing_backward(run: Run):
    return run.backwards[-1] if run.backwards else (None, None)


def _fact(run: Run, line: int, note: str) -> tuple:
    """One line of the explanation that points at the script: (line, its source, what happens there)."""
    return (line, run.line_text(line), note)


def _name_of(expr) -> str | None:
    if isinstance(expr, A.Name):
        return expr.id
    if isinstance(expr, A.Attribute):
        inner = _name_of(expr.value)
        return f"{inner}.{expr.attr}" if inner else None
    return None


def _torch_name(run: Run) -> str:
    for k, v in run.globals.items():
        if getattr(v, "__name__", None) == "torch" and not k.startswith("_"):
            return k
    return "torch"


def _shape(t) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


# ---- one-of-the-variables-modified ----------------------------------------------------------------
def inplace_saved(run: Run, tree: Tree, line: int, m) -> Finding:
    event, _ = _failing_backward(run)
    nodes = _graph(event.tensors if event else ())
    stale = [(n, s) for n in nodes for s in obs.saved_state(n) if s[1] != s[2]]
    if not stale:
        return Finding("inplace-modified", line, ["a tensor saved for backward was changed in place after it was "
                                                  "saved"], [line])
    node, (saved_name, saved_ver, now_ver, key) = stale[0]
    made = run.made.get(node)
    changes = [(ver, st) for k, ver, t, st in run.modified if k == key and saved_ver < ver <= now_ver]
    change_line = changes[0][1].line if changes else 0
    var = _storage_name(run, tree, key, made.line if made else 0) or _modified_name(tree, change_line) or "it"
    what = "its result" if saved_name == "result" else f"its input `{saved_name}`"
    why = [f"`{var}` was changed in place after {node.name()} saved it for backward"]
    lines = []
    if made:
        why.append(_fact(run, made.line, f"{node.name()} saves {what} ({var}, version {saved_ver})"))
        lines.append(made.line)
    for ver, st in changes[:3]:
        why.append(_fact(run, st.line, f"changes {var} in place (version {ver - 1} → {ver})"))
        lines.append(st.line)
    why.append(_fact(run, line, f"{node.name()} needs {var} as it was at version {saved_ver}"))
    lines.append(line)
    return Finding("inplace-modified", line, why, lines, _out_of_place_fixes(run, tree, change_line))


def _storage_name(run: Run, tree: Tree, key: int, made_line: int) -> str | None:
    """The script's name for the tensor behind a version counter: the one the saving line assigned, if any."""
    stmt = tree.statement_at(made_line) if made_line else None
    assigned = [t.id for t in stmt.targets if isinstance(t, A.Name)] if isinstance(stmt, A.Assign) else []
    if assigned:  # the name the saving line gave it (maybe a local of a forward())
        return assigned[0]
    names = [k for k, v in run.globals.items() if isinstance(v, Tensor) and obs.storage_key(v) == key]
    return names[0] if names else None


def _modified_name(tree: Tree, line: int) -> str | None:
    stmt = tree.statement_at(line) if line else None
    if isinstance(stmt, A.AugAssign):
        return _name_of(stmt.target)
    if isinstance(stmt, A.Assign) and isinstance(stmt.targets[0], A.Subscript):
        return _name_of(stmt.targets[0].value)
    if isinstance(stmt, A.ExprStmt) and isinstance(stmt.value, A.Call) and isinstance(stmt.value.func, A.Attribute):
        return _name_of(stmt.value.func.value)
    if isinstance(stmt, A.Assign):
        return _name_of(stmt.targets[0])
    return None


def _out_of_place_fixes(run: Run, tree: Tree, line: int) -> list[Fix]:
    fixes = []
    stmt = tree.statement_at(line) if line else None
    src = tree.source
    if isinstance(stmt, A.AugAssign) and _name_of(stmt.target):
        x = tree.text(stmt.target)
        new = f"{x} = {x} {stmt.op[:-1] if stmt.op.endswith('=') else stmt.op} {tree.text(stmt.value)}"
        fixes.append(Fix(f"line {line}: `{tree.text(stmt)}` → `{new}` (a new tensor; the saved one stays as it was)",
                         (E.replace(stmt, new),)))
    elif isinstance(stmt, A.ExprStmt) and isinstance(stmt.value, A.Call) and isinstance(stmt.value.func, A.Attribute):
        call = stmt.value
        method = call.func.attr
        x = _name_of(call.func.value)
        if x and E.OUT_OF_PLACE.get(method):
            args = tree.text(call)[len(tree.text(call.func)):]
            new = f"{x} = {x}.{E.OUT_OF_PLACE[method]}{args}"
            fixes.append(Fix(f"line {line}: `{tree.text(stmt)}` → `{new}` (a new tensor; the saved one stays as "
                             "it was)", (E.replace(stmt, new),)))
    elif isinstance(stmt, A.Assign) and isinstance(stmt.targets[0], A.Subscript) and _name_of(stmt.targets[0].value):
        x = tree.text(stmt.targets[0].value)
        fixes.append(Fix(f"before line {line}: `{x} = {x}.clone()`, so the assignment writes into a copy",
                         (E.insert_before_line(line, src, f"{x} = {x}.clone()"),)))
    for node in tree.calls_in(tree.module):
        for kw in node.keywords:
            if kw.arg == "inplace" and isinstance(kw.value, A.Constant) and kw.value.value is True:
                n = kw.span.line
                fixes.append(Fix(f"line {n}: `inplace=True` → `inplace=False` (the op then leaves its input, which "
                                 "backward needs, alone)", (E.replace(kw.value, "False"),)))
    return fixes


# ---- backward through the graph a second time -----------------------------------------------------
def freed_graph(run: Run, tree: Tree, line: int, m) -> Finding:
    event, _ = _failing_backward(run)
    last = len(run.backwards) - 1  # nodes this backward ran before it failed are freed too: not the cause
    nodes = [n for n in _graph(event.tensors if event else ()) if obs.freed(n) and run.ran_in.get(n) != last]
    if not nodes or len(run.backwards) < 2:
        return Finding("freed-graph", line, ["this graph's saved tensors were already freed by an earlier "
                                             "backward"], [line])
    node = nodes[0]
    first_i = run.ran_in.get(node)
    first = run.backwards[first_i][1] if first_i is not None else run.backwards[-2][1]
    made = run.made.get(node)
    freed_list = ", ".join(f"{n.name()} (line {run.made[n].line})" if n in run.made else n.name()
                           for n in nodes[:4])
    more = f" and {len(nodes) - 4} more" if len(nodes) > 4 else ""
    why = ["backward() frees the tensors a graph saved; this backward goes through a part that an earlier one "
           "already used"]
    lines = []
    if made:
        why.append(_fact(run, made.line, f"records {node.name()}"))
        lines.append(made.line)
    same = first.line == line
    why.append(_fact(run, first.line, "the previous pass of this loop ran backward through it" if same
                     else "the first backward, which frees its saved tensors"))
    why.append(_fact(run, line, f"needs them again: freed were {freed_list}{more}"))
    lines += [first.line, line]
    fixes = []
    if same and made:
        loop = tree.enclosing(tree.statement_at(line), (A.For, A.While))
        made_stmt = tree.statement_at(made.line)
        if loop is not None and made.line < loop.span.line and made_stmt is not None:
            fixes.append(_move_into_loop(run, tree, made_stmt, loop))
        elif loop is not None:
            fixes.extend(_detach_carried(run, tree, loop, made.line))
    elif not same:
        call = _backward_call(tree, first.line)
        if call is not None:
            fixes.append(Fix(f"line {first.line}: `{tree.text(call)}` → pass retain_graph=True, so the second "
                             "backward finds the saved tensors",
                             (E.add_keyword(call, tree.source, "retain_graph=True"),)))
    return Finding("freed-graph", line, why, lines, fixes)


def _backward_call(tree: Tree, line: int):
    stmt = tree.statement_at(line)
    if stmt is None:
        return None
    calls = [c for c in tree.calls_in(stmt) if (isinstance(c.func, A.Attribute) and c.func.attr in ("backward", "grad"))]
    return calls[0] if len(calls) == 1 else None


def _detach_carried(run: Run, tree: Tree, loop, made_line: int) -> list[Fix]:
    """A name the loop assigns from its own previous value carries the last iteration's graph along."""
    names = []
    made_stmt = tree.statement_at(made_line)
    if isinstance(made_stmt, A.Assign):
        names += [t.id for t in made_stmt.targets if isinstance(t, A.Name)]
    for stmt in A.walk(loop):
        if isinstance(stmt, A.Assign):
            for t in stmt.targets:
                reads = {n.id for n in A.walk(stmt.value) if isinstance(n, A.Name)}
                if isinstance(t, A.Name) and t.id in reads and t.id not in names:
                    names.append(t.id)
    first = loop.body[0]
    fixes = []
    for name in names[:3]:
        if not isinstance(run.globals.get(name), Tensor):
            continue
        text = f"{name} = {name}.detach()"
        fixes.append(Fix(f"first line of the loop (line {first.span.line}): `{text}`: each iteration then starts "
                         f"from {name}'s value without the previous iteration's graph",
                         (E.insert_before_line(first.span.line, tree.source, text),),
                         why=(f"`{name}` carries the previous iteration's graph into the next one: line {made_line} "
                              f"builds on the {name} that the last backward already went through",)))
    return fixes


def _move_into_loop(run: Run, tree: Tree, stmt, loop) -> Fix:
    text = tree.text(stmt)
    first = loop.body[0]
    return Fix(f"move line {stmt.span.line} (`{text}`) to the start of the loop, so each iteration builds its own "
               "graph", (E.Edit(stmt.span.line, 1, stmt.span.end_line + 1, 1, ""),
                         E.insert_before_line(first.span.line, tree.source, text)),
               why=(f"line {stmt.span.line} builds its graph once, before the loop; every iteration's backward "
                    "goes through it again, but the first one freed it",))


# ---- element 0 of tensors does not require grad ---------------------------------------------------
def no_grad_fn(run: Run, tree: Tree, line: int, m) -> Finding:
    event, _ = _failing_backward(run)
    root = event.tensors[0] if event and event.tensors else None
    call = _backward_call(tree, line)
    target = None
    if call is not None:
        target = call.args[0] if call.func.attr == "grad" and call.args else call.func.value
    what = f"`{tree.text(target)}`" if target is not None else "the tensor"
    why = [f"{what} has no grad_fn: no recorded graph leads from it back to a tensor that requires grad"]
    fixes: list[Fix] = []
    seen = set()
    for ev, st in reversed(run.dropped):
        if st.line >= line and st.line != line or (st.line, ev.how) in seen:
            continue
        seen.add((st.line, ev.how))
        fix = _undrop(run, tree, ev.how, st.line)
        if fix is not None:
            fixes.append(fix)
        if len(fixes) >= 4:
            break
    earlier = [(ev, st) for ev, st in run.backwards[:-1] if not ev.create_graph]
    if earlier and root is not None:
        ev, st = earlier[-1]
        c = _backward_call(tree, st.line)
        if c is not None:
            fixes.append(Fix(f"line {st.line}: `{tree.text(c)}` → pass create_graph=True, so the gradient it returns "
                             "has a graph of its own to differentiate again",
                             (E.add_keyword(c, tree.source, "create_graph=True"),),
                             why=(f"the gradient computed at line {st.line} is a plain tensor: without "
                                  "create_graph=True, autograd records no graph for it, so it can't be "
                                  "differentiated again",), lines=(st.line, line)))
    fixes.extend(_requires_grad_fixes(run, tree, line))
    if root is not None:
        why.append(_fact(run, line, f"{what} has requires_grad=False and grad_fn=None"))
    return Finding("no-grad-fn", line, why, [line], fixes)


def _undrop(run: Run, tree: Tree, how: str, line: int) -> Fix | None:
    stmt = tree.statement_at(line)
    if stmt is None:
        return None
    if how == "detach":
        for c in tree.calls_in(stmt, "detach"):
            if isinstance(c.func, A.Attribute) and not c.args:
                inner = tree.text(c.func.value)
                return Fix(f"line {line}: drop `.detach()` (`{tree.text(c)}` → `{inner}`)",
                           (E.replace(c, inner),),
                           why=(_fact(run, line, "detach() returns a tensor without history: nothing computed "
                                      "from it leads back to the leaves"),), lines=(line,))
    if how == "data":
        for n in A.walk(stmt):
            if isinstance(n, A.Attribute) and n.attr == "data":
                inner = tree.text(n.value)
                return Fix(f"line {line}: use `{inner}` instead of `{tree.text(n)}`", (E.replace(n, inner),),
                           why=(_fact(run, line, "`.data` is a tensor with the same values but no history"),),
                           lines=(line,))
    if how == "tensor":
        for c in tree.calls_in(stmt, "tensor"):
            if len(c.args) == 1 and not c.keywords:
                inner = tree.text(c.args[0])
                return Fix(f"line {line}: use `{inner}` itself, not `{tree.text(c)}`", (E.replace(c, inner),),
                           why=(_fact(run, line, "torch.tensor() copies the values into a new leaf without "
                                      "history (torch warns about it)"),), lines=(line,))
    if how == "no_grad":
        block = stmt if isinstance(stmt, A.With) else tree.enclosing(stmt, (A.With,))
        if isinstance(block, A.With) and "no_grad" in tree.text(block.items[0].context):
            return Fix(f"line {block.span.line}: take lines {block.body[0].span.line}–{block.span.end_line} out of "
                       f"`{tree.text(block.items[0].context)}`", (E.unwrap_block(block, tree.source),),
                       why=(_fact(run, block.span.line, "turns graph recording off for the block"),
                            _fact(run, line, "so this line records no graph")), lines=(block.span.line, line))
    return None


def _requires_grad_fixes(run: Run, tree: Tree, line: int) -> list[Fix]:
    """Leaves the script reads .grad of (or gives an optimizer) but created without requires_grad=True."""
    wanted = []
    for n in A.walk(tree.module):
        if isinstance(n, A.Attribute) and n.attr == "grad" and isinstance(n.value, A.Name):
            wanted.append(n.value.id)
    edits, names, lines = [], [], []
    for name in dict.fromkeys(wanted):
        value = run.globals.get(name)
        if not isinstance(value, Tensor) or value.requires_grad or value.grad_fn is not None:
            continue
        for stmt in tree.assignments_to(name):
            if isinstance(stmt.value, A.Call) and _callee(stmt.value) in CREATION and not any(
                    k.arg == "requires_grad" for k in stmt.value.keywords):
                edits.append(E.add_keyword(stmt.value, tree.source, "requires_grad=True"))
                names.append(name)
                lines.append(stmt.span.line)
                break
    if not edits:
        return []
    listed = ", ".join(f"`{n}` (line {ln})" for n, ln in zip(names, lines))
    return [Fix(f"create {listed} with requires_grad=True", tuple(edits),
                why=(f"the script reads the .grad of {listed}, but {'they were' if len(names) > 1 else 'it was'} "
                     "created without requires_grad=True, so autograd records nothing that leads back to "
                     f"{'them' if len(names) > 1 else 'it'}",), lines=tuple(lines),
                check=_grads_filled(names))]


def _grads_filled(names):
    def check(rerun: Run):
        empty = [n for n in names if isinstance(rerun.globals.get(n), Tensor) and rerun.globals[n].grad is None]
        return f"{', '.join(empty)}.grad is still None" if empty else None
    return check


def _callee(call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, A.Attribute) else getattr(f, "id", None)


# ---- grad can be implicitly created only for scalar outputs ---------------------------------------
def non_scalar(run: Run, tree: Tree, line: int, m) -> Finding:
    event, _ = _failing_backward(run)
    root = event.tensors[0] if event and event.tensors else None
    call = _backward_call(tree, line)
    name = tree.text(call.func.value) if call is not None and isinstance(call.func, A.Attribute) else "the output"
    shape = _shape(root) if root is not None else "?"
    why = [f"`{name}` has shape {shape}, not one number: backward() starts from d{name}/d{name} = 1, which only "
           "exists for a scalar",
           _fact(run, line, f"give backward a scalar (usually the sum or mean of {name}), or pass "
                 f"gradient= of shape {shape}")]
    fixes = []
    if call is not None and call.func.attr == "backward" and not call.args and not call.keywords:
        new = f"{name}.sum().backward()"
        fixes.append(Fix(f"line {line}: `{tree.text(call)}` → `{new}` (the same as backward(torch.ones_like({name})))",
                         (E.replace(call, new),)))
    return Finding("non-scalar", line, why, [line], fixes)


# ---- .grad of a non-leaf (a warning, the run goes on) ---------------------------------------------
def nonleaf_grad(run: Run, tree: Tree, line: int) -> Finding:
    stmt = tree.statement_at(line)
    name = None
    for n in A.walk(stmt) if stmt is not None else ():
        if isinstance(n, A.Attribute) and n.attr == "grad" and isinstance(n.value, A.Name):
            name = n.value.id
            break
    why = [f"`{name or 'the tensor'}` is not a leaf, so backward() does not keep its .grad (it stays None)"]
    lines = [line]
    fixes = []
    value = run.globals.get(name) if name else None
    made = [s for s in tree.assignments_to(name) if s.span.line < line] if name else []
    if made:
        assign = made[-1]
        node = value.grad_fn.name() if isinstance(value, Tensor) and value.grad_fn is not None else "an op"
        why.append(_fact(run, assign.span.line, f"{name} is computed ({node}), not created by you"))
        why.append(_fact(run, line, f"reads {name}.grad"))
        lines = [assign.span.line, line]
        text = f"{name}.retain_grad()"
        fixes.append(Fix(f"after line {assign.span.line}: `{text}` keeps {name}'s gradient when backward runs",
                         (E.insert_after_statement(assign, tree.source, text),), check=_no_warning(NONLEAF_GRAD)))
    return Finding("nonleaf-grad", line, why, lines, fixes)


def _no_warning(prefix):
    def check(rerun: Run):
        return "torch still warns that .grad is read on a non-leaf" if any(
            m.startswith(prefix) for _, _, m in rerun.warnings) else None
    return check


# ---- in-place on a leaf, or on a view of one ------------------------------------------------------
def leaf_inplace(run: Run, tree: Tree, line: int, m) -> Finding:
    view = m.group(0).startswith("a view")
    stmt = tree.statement_at(line)
    name = _modified_name(tree, line) or "the tensor"
    base = name.split(".")[0]
    made = [s for s in tree.assignments_to(base) if s.span.line < line]
    why = [f"`{name}` is {'a view of ' if view else ''}a leaf that requires grad: changing it in place while "
           "autograd records would lose the history backward needs"]
    lines = [line]
    if made:
        why.append(_fact(run, made[-1].span.line, f"{base} is created with requires_grad=True"))
        lines.insert(0, made[-1].span.line)
    why.append(_fact(run, line, "changes it in place; parameter updates and initialisation belong under "
                     "torch.no_grad()"))
    fixes = []
    if stmt is not None:
        t = _torch_name(run)
        fixes.append(Fix(f"line {line}: put `{tree.text(stmt)}` under `with {t}.no_grad():`",
                         (E.wrap_lines(stmt.span.line, stmt.span.end_line, tree.source, f"with {t}.no_grad():"),)))
    return Finding("view-leaf-inplace" if view else "leaf-inplace", line, why, lines, fixes)


# ---- autograd.grad's inputs -----------------------------------------------------------------------
def unused_input(run: Run, tree: Tree, line: int, m) -> Finding:
    i = int(m.group(1))
    call = _backward_call(tree, line)
    names = _grad_inputs(tree, call)
    name = names[i] if i < len(names) else f"input {i}"
    outs = tree.text(call.args[0]) if call is not None and call.args else "the output"
    why = [f"`{name}` (inputs[{i}]) is on no path back from `{outs}`: {outs} does not depend on it",
           _fact(run, line, f"asks for d{outs}/d{name}, which is zero everywhere")]
    fixes = []
    if call is not None:
        fixes.append(Fix(f"line {line}: pass allow_unused=True: the gradient for {name} then comes back as None "
                         "(materialize_grads=True gives zeros)", (E.add_keyword(call, tree.source, "allow_unused=True"),)))
    return Finding("unused-input", line, why, [line], fixes)


def _grad_inputs(tree: Tree, call) -> list[str]:
    if call is None or len(call.args) < 2:
        return []
    arg = call.args[1]
    items = arg.elts if isinstance(arg, (A.List, A.Tuple)) else (arg,)
    return [tree.text(e) for e in items]


def input_no_grad(run: Run, tree: Tree, line: int, m) -> Finding:
    event, _ = _failing_backward(run)
    call = _backward_call(tree, line)
    names = _grad_inputs(tree, call)
    bad = [names[i] for i, t in enumerate(event.inputs or ()) if i < len(names) and isinstance(t, Tensor)
           and not t.requires_grad] if event and not isinstance(event.inputs, Tensor) else names[:1]
    name = bad[0] if bad else "an input"
    why = [f"`{name}` does not require grad, so autograd recorded nothing that leads back to it",
           _fact(run, line, f"asks for the gradient with respect to {name}")]
    fixes = []
    for stmt in tree.assignments_to(name):
        if isinstance(stmt.value, A.Call) and _callee(stmt.value) in CREATION:
            fixes.append(Fix(f"line {stmt.span.line}: create {name} with requires_grad=True",
                             (E.add_keyword(stmt.value, tree.source, "requires_grad=True"),), lines=(stmt.span.line,)))
            break
    return Finding("input-no-grad", line, why, [line], fixes)


def int_requires_grad(run: Run, tree: Tree, line: int, m) -> Finding:
    stmt = tree.statement_at(line)
    calls = [c for c in tree.calls_in(stmt) if any(k.arg == "requires_grad" for k in c.keywords)] if stmt else []
    why = ["only floating-point tensors have gradients: this one is made of integers (torch infers int64 "
           "from integer literals)"]
    fixes = []
    if calls and not any(k.arg == "dtype" for k in calls[0].keywords):
        t = _torch_name(run)
        fixes.append(Fix(f"line {line}: add dtype={t}.float32 (or write the numbers as 1., 2., ...)",
                         (E.add_keyword(calls[0], tree.source, f"dtype={t}.float32"),)))
    return Finding("int-requires-grad", line, why, [line], fixes)


# ---- errors whose fix needs judgement: said, not applied ------------------------------------------
def hook_size(run: Run, tree: Tree, line: int, m) -> Finding:
    hook = m.group(1)
    defs = [n for n in A.walk(tree.module) if isinstance(n, A.FunctionDef) and n.name == hook]
    regs = [c for c in tree.calls_in(tree.module, "register_hook")]
    why = [f"hook '{hook}' returned a gradient of another shape than the one it was given: a hook may scale or "
           "replace a gradient, never reshape it"]
    lines = []
    for d in defs[:1]:
        why.append(_fact(run, d.span.line, "the hook"))
        lines.append(d.span.line)
    for c in regs[:2]:
        why.append(_fact(run, c.span.line, "registers it"))
        lines.append(c.span.line)
    why.append(_fact(run, line, "backward calls the hook"))
    return Finding("hook-size", line, why, lines + [line],
                   [Fix("return a tensor of the incoming gradient's shape from the hook (e.g. `g * 0.5` or "
                        "`g.clamp(-1, 1)`), not a reduction or a slice of it")])


def nan_output(run: Run, tree: Tree, line: int, m) -> Finding:
    name = m.group(1)
    event, _ = _failing_backward(run)
    nodes = [n for n in _graph(event.tensors if event else ()) if n.name() == name]
    why = [f"{name} turned its incoming gradient into nan: its local derivative is infinite or undefined at the "
           "value it saw (e.g. sqrt at 0, log at 0, 0/0)"]
    lines = [line]
    made = run.made.get(nodes[0]) if nodes else None
    if made:
        why.append(_fact(run, made.line, f"made {name}"))
        lines.insert(0, made.line)
    why.append(_fact(run, line, "backward meets the nan (anomaly mode checks every node's output)"))
    for sender in run.sent_inf[:1]:
        where = run.made.get(sender)
        if where is not None:
            why[0] = (f"{sender.name()} sent an infinite gradient, which {name} multiplied by zero (∞ · 0 = nan): "
                      "its local derivative is infinite at the value it saw (sqrt and pow at 0, log at 0, 1/x at 0)")
            why.insert(1, _fact(run, where.line, f"made {sender.name()}"))
            lines.insert(0, where.line)
    return Finding("nan-in-backward", line, why, lines,
                   [Fix("keep the op's input away from the point where its derivative blows up (e.g. "
                        "`torch.sqrt(x + 1e-12)`, `torch.log(x.clamp(min=1e-12))`)")])


def bad_grad_shape(run: Run, tree: Tree, line: int, m) -> Finding:
    fn, index, got, want = m.group(1), m.group(2), m.group(3), m.group(4)
    cls = fn[:-len("Backward")] if fn.endswith("Backward") else fn
    defs = [n for n in A.walk(tree.module) if isinstance(n, A.ClassDef) and n.name == cls]
    backward = [s for d in defs for s in d.body if isinstance(s, A.FunctionDef) and s.name == "backward"]
    why = [f"{cls}.backward returned a gradient of shape [{got}] for input {index}, whose shape is [{want}]: "
           "backward must return one gradient per forward input, each shaped like that input"]
    lines = [line]
    if backward:
        why.append(_fact(run, backward[0].span.line, "the backward to correct"))
        lines.insert(0, backward[0].span.line)
    why.append(_fact(run, line, "backward checks each gradient against its input's shape"))
    return Finding("bad-grad-shape", line, why, lines,
                   [Fix(f"make {cls}.backward return a [{want}]-shaped gradient for input {index} (sum over the "
                        "dimensions the forward broadcast; don't reduce to a scalar)")])


def dirty_not_returned(run: Run, tree: Tree, line: int, m) -> Finding:
    calls = tree.calls_in(tree.module, "mark_dirty")
    why = ["forward() marked a tensor dirty (changed in place) but did not return it: torch must hand the "
           "modified tensor back as an output to rewrite its history"]
    lines = [c.span.line for c in calls[:1]] + [line]
    if calls:
        why.append(_fact(run, calls[0].span.line, "marks it dirty"))
    why.append(_fact(run, line, "the Function is applied"))
    return Finding("mark-dirty", line, why, lines,
                   [Fix("return the tensor you modified in place (the one passed to ctx.mark_dirty) from forward")])


HANDLERS = [
    (r"one of the variables needed for gradient computation has been modified by an inplace operation", inplace_saved),
    (r"Trying to backward through the graph a second time", freed_graph),
    (r"element \d+ of tensors does not require grad and does not have a grad_fn", no_grad_fn),
    (r"grad can be implicitly created only for scalar outputs", non_scalar),
    (r"^a (view of a )?leaf Variable that requires grad is being used in an in-place operation", leaf_inplace),
    (r"The differentiated Tensor at index (\d+) appears to not have been used in the graph", unused_input),
    (r"One of the differentiated Tensors does not require grad", input_no_grad),
    (r"Only Tensors of floating point and complex dtype can require gradients", int_requires_grad),
    (r"hook '(.*)' has changed the size of value", hook_size),
    (r"Function '(\w+)' returned nan values", nan_output),
    (r"Function (\w+) returned an invalid gradient at index (\d+) - got \[(.*?)\] but expected shape compatible "
     r"with \[(.*?)\]", bad_grad_shape),
    (r"Some elements marked as dirty during the forward method were not returned as output", dirty_not_returned),
]
