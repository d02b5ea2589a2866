"""backward() and grad(): dependency counts, a ready queue ordered like torch's, hooks, gradient
accumulation into leaves, un-broadcasting (the one place it happens), retain/create_graph."""
import heapq
import itertools
import sys
import warnings

import numpy as np

from .grad_mode import STATE
from .malloc import BIG as _BIG, _state as _malloc_state, tune as _tune_malloc
from .anomaly import checked_call
from .function import BackwardCFunction
from .graph import AccumulateGrad
from .observer import OBSERVERS, Accumulated, Backward, BackwardStep, notify
from .tensor import Tensor, storage

NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak.")


def _size_str(shape):
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _root_grads(outputs, grad_outputs, create_graph):
    roots = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs must be Tensors, not {type(out).__name__}")
        if not out._rg:
            raise RuntimeError(NO_GRAD_FN.replace("element 0", f"element {i}"))
        g = grad_outputs[i] if grad_outputs is not None and i < len(grad_outputs) else None
        if g is None:
            d = out._data
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            # ones_like(out) without the creation path's checks; fresh, so it needs no detach. A 0-dim one
            # is a numpy scalar, as every 0-dim result in the engine is (a third of np.ones's time)
            roots.append((out._grad_edge(), _make(d.dtype.type(1) if d.shape == () else np.ones(d.shape, d.dtype))))
            continue
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {_size_str(g._data.shape)} "
                               f"and output[{i}] has a shape of {_size_str(out._data.shape)}.")
        if not create_graph:
            g = g.detach()
        roots.append((out._grad_edge(), g))
    return roots


def _accumulate_into(a, gd):
    """a + gd for a gradient buffer (no graph being built): in place when `a` is a fresh array that nothing
    else can see -- the buffer holds the only reference to the tensor and the tensor the only one to its own
    (not borrowed) array -- which saves a large allocation per shared input; a new tensor otherwise."""
    ad = a._data
    if (type(ad) is np.ndarray and type(gd) is np.ndarray and ad.size >= _INPLACE_MIN and ad.shape == gd.shape
            and ad.dtype == gd.dtype and ad.flags.owndata and ad.flags.writeable
            and _getrefcount(a) <= 3 and _getrefcount(ad) <= 3):  # the buffer, the parameter, the call
        _add(ad, gd, out=ad)
        return a
    return _make(ad + gd)


_INPLACE_MIN = 1024  # below this, a new array is as cheap as the checks
_getrefcount = sys.getrefcount
_add = np.add


def _reduce_to(g, shape, dtype, node, i):
    """Un-broadcasting: a gradient arriving with the output's shape is summed down to the input's."""
    if g._data.shape != shape:
        from .ops import sum_to
        gs = g._data.shape
        if len(shape) > len(gs) or any(s != 1 and s != t for s, t in zip(reversed(shape), reversed(gs))):
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                               f"[{', '.join(map(str, g._data.shape))}] but expected shape compatible with "
                               f"[{', '.join(map(str, shape))}]") from None
        if STATE.grad_enabled:  # create_graph: the reduction must itself be differentiable
            g = sum_to(g, shape)
        else:
            from .shapes import reduced_dims
            g = _make(np.asarray(g._data.sum(axis=reduced_dims(gs, shape), keepdims=True)).reshape(shape))
    if g._data.dtype.char != dtype:
        g = g.to(_dtype(dtype))
    return g


def _dtype(char):
    from .dtypes import FROM_NP
    return FROM_NP[np.dtype(char)]


def _collect(roots):
    """Iterative DFS from the roots: how many edges point at each node."""
    stack = [n for (n, _), _ in roots if n is not None]
    deps = dict.fromkeys(stack, 0)  # also the visited set: every reached node has an entry
    while stack:
        for nxt in stack.pop()._next:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)
    return deps, deps


def _needed(seen, targets):
    """Nodes from which a target is reachable; only they run when grads are asked for specific inputs."""
    parents = {}
    for node in seen:
        for nxt in node._next:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
    needed = set(t for t in targets if t in seen)
    stack = list(needed)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _plan(roots, tnodes, keep_graph):
    """(deps, needed, order, entry) for a run: dependency counts of every reachable node, and when targets
    are given the nodes that lead to one. A retained graph differentiated again and again from new roots
    over one node (a Jacobian or Hessian row by row: `grad(g[i], x, retain_graph=True)`) keeps the walk of
    that node's graph on the node, so each row copies a dict instead of walking and re-deriving parents;
    once one such run has finished, its order of nodes is kept too, and later runs follow it (`order`)
    instead of counting dependencies through a heap: the order depends on the graph alone, not on the
    values. `entry`: where a run that has no order yet stores the one it took. `tnodes`: the target
    nodes, or None."""
    if keep_graph and len(roots) == 1 and roots[0][0][0] is not None:
        r = roots[0][0][0]
        kids = r._next if len(r._next) == 1 else [n for n in r._next if n is not None]  # `g[i]`: one edge
        if (kids and kids[0] is not None and kids.count(kids[0]) == len(kids)
                and (tnodes is None or r not in tnodes)):
            c = kids[0]
            sub, entry = _cached_plan(c, tnodes)
            reached, order = entry
            needed = None if reached is None else set() if reached is _UNREACHED else {c, r}.union(reached)
            if order is not None:
                return None, needed, (r, c) + order, None
            deps = sub.copy()
            deps[c] = len(kids)
            deps[r] = 0
            return deps, needed, None, entry
    deps, seen = _collect(roots)
    return deps, (_needed(seen, tnodes) if tnodes is not None else None), None, None


_UNREACHED = frozenset(["unreached"])  # a marker compared by identity: no target is reachable from c


def _cached_plan(c, tnodes):
    """The walk of the graph under node c, kept on c: its dependency counts and, per set of target nodes
    (None: no targets), an entry [the nodes that reach a target, the order a run took below c or None].
    c itself is left out of all of them, so the node does not refer to itself (reference counting alone
    frees the graph when it is dropped)."""
    x = c._x
    plan = x.get("plan") if x is not None else None
    if plan is None:
        sub, _ = _collect([((c, 0), None)])
        del sub[c]
        plan = (sub, {})
        c._extras()["plan"] = plan
    sub, by_targets = plan
    key = None if tnodes is None else frozenset(map(id, tnodes))  # ids: a target may be c (a reference back)
    entry = by_targets.get(key)
    if entry is None:
        reached = None
        if tnodes is not None:
            seen = dict(sub)
            seen[c] = 0
            needed = _needed(seen, tnodes)
            # the nodes under c that lead to a target; a set without c, which stands for "c leads to one"
            reached = frozenset(needed - {c}) if c in needed else _UNREACHED
        entry = by_targets[key] = [reached, None]
    return sub, entry


def run(roots, keep_graph, create_graph, targets=None, accumulate=True):
    """Execute the backward graph. `targets` is a set of (node, nr) whose incoming gradient is captured;
    leaves accumulate into .grad only if `accumulate` (and only the targeted ones if targets is given)."""
    target_nodes = {n for n, _ in targets} if targets is not None else None
    deps, needed, order, entry = _plan(roots, target_nodes, keep_graph)
    captured = {} if targets is not None else None
    buffers = {}
    heap = []
    for (node, nr), g in roots:
        if node is not None:
            _add_to_buffer(buffers, node, nr, g)
    if order is None:
        for node in {n for (n, _), _ in roots if n is not None}:
            if deps.get(node, 0) == 0:
                heapq.heappush(heap, (-node._seq, node))
    push, pop = heapq.heappush, heapq.heappop
    taken = [] if entry is not None else None  # the order this run takes, kept for the next ones
    replay = iter(order) if order is not None else None
    anomaly = STATE.anomaly
    prev_mode = STATE.grad_enabled  # no_grad()/enable_grad() inlined: the context objects cost ~1.5 µs a run
    STATE.grad_enabled = bool(create_graph)
    try:
        while True:
            if replay is None:
                if not heap:
                    break
                node = pop(heap)[1]
                if taken is not None:
                    taken.append(node)
            else:
                node = next(replay, None)
                if node is None:
                    break
            grads = buffers.pop(node, None) or [None]
            x = node._x
            if x is not None:
                grads = _pre_hooks(node, x, grads)
            leaf = type(node) is AccumulateGrad
            if leaf and grads[0] is not None:
                vx = node.variable._x
                if vx is not None and vx.get("hooks"):  # a leaf's tensor hooks run before capture too
                    grads = [_leaf_hooks(vx, grads[0])]
            if captured is not None and node in target_nodes:
                for nr, g in enumerate(grads):
                    if g is not None and (node, nr) in targets:
                        captured[(node, nr)] = g
            if leaf:
                if accumulate and grads[0] is not None and (targets is None or (node, 0) in targets):
                    _accumulate(node.variable, grads[0], create_graph)
                continue
            if needed is not None and node not in needed:
                if OBSERVERS:
                    notify(BackwardStep(node, tuple(grads), (None,) * len(node._next), (None,) * len(node._next)))
                continue
            if grads[0] is not None or any(v is not None for v in grads):  # anything reached it
                # no reference of the loop's own to the incoming gradients (`g`, the last node's `outs`): a
                # node may then overwrite a buffer that only its `grads` list holds (TableNode.apply)
                g = outs = None
                outs = checked_call(node, grads) if anomaly else node.apply(grads)
            else:
                outs = [None] * len(node._next)
            if x is not None and "hooks" in x:
                for h in list(x["hooks"]):
                    r = h(tuple(outs), tuple(grads))
                    if r is not None:
                        outs = list(r)
            if not keep_graph and node._saves_tensors:
                node._saved = None  # Node.release, inlined
            meta = node._in
            received = list(outs) if OBSERVERS else None
            i = 0
            for nxt, nr, g in zip(node._next, node._nrs or _ZEROS, outs):
                if nxt is not None and (needed is None or nxt in needed):
                    if g is not None:
                        if meta is not None and meta[i] is not None:  # this input's shape or dtype differs
                            m = meta[i]
                            gd = g._data
                            if gd.shape != m[0] or gd.dtype.char != m[1]:
                                g = _reduce_to(g, m[0], m[1], node, i)
                                if received is not None:
                                    received[i] = g
                        buf = buffers.get(nxt)
                        if buf is None:
                            buffers[nxt] = [g] if nr == 0 and nxt._num_outputs == 1 else _new_buffer(nxt, nr, g)
                        elif buf[nr] is None:
                            buf[nr] = g
                        elif create_graph:
                            buf[nr] = buf[nr] + g
                            if OBSERVERS:
                                notify(Accumulated(buf[nr]))
                        else:
                            # plain accumulation, not derivative math: skip the op layer when no graph is built
                            buf[nr] = _accumulate_into(buf[nr], g._data)
                    if replay is None:
                        d = deps[nxt] - 1
                        deps[nxt] = d
                        if d == 0:
                            push(heap, (-nxt._seq, nxt))
                i += 1
            if received is not None:
                notify(BackwardStep(node, tuple(grads), tuple(outs), tuple(received)))
    finally:
        STATE.grad_enabled = prev_mode
    if taken is not None and len(taken) >= 2 and taken[1] in taken[0]._next:
        entry[1] = tuple(taken[2:])  # below the root and c: what every later row runs, in this order
    return captured


# the input_nr of every edge of a node made by a single-output op: zip stops at the node's own edges,
# so any number of inputs is covered (a fixed-length tuple once silently dropped edges past its end)
_ZEROS = itertools.repeat(0)
_make = Tensor._make


def _new_buffer(node, nr, g):
    buf = [None] * max(getattr(node, "_num_outputs", 1), nr + 1)
    buf[nr] = g
    return buf


def _add_to_buffer(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buffers[node] = _new_buffer(node, nr, g)
        return
    if buf[nr] is None:
        buf[nr] = g
    else:
        buf[nr] = buf[nr] + g
        if OBSERVERS:
            notify(Accumulated(buf[nr]))


def _pre_hooks(node, x, grads):
    # tensor hooks (per output, in registration order), then retain_grad, then the node's prehooks
    th = x.get("tensor_hooks")
    if th:
        for nr, hooks in th.items():
            for h in list(hooks):
                if grads[nr] is not None:
                    r = h(grads[nr])
                    if r is not None:
                        grads[nr] = _checked_hook_result(h, grads[nr], r)
    rt = x.get("retain")
    if rt:
        for nr, ref in rt.items():
            t = ref()
            if t is not None and grads[nr] is not None and t.grad_fn is node:
                g = grads[nr]
                if t._grad is None:
                    t._grad = g if STATE.grad_enabled else Tensor._make(np.array(g._data))
                else:
                    t._grad = t._grad + g
    for h in list(x.get("prehooks", ())):
        r = h(tuple(grads))
        if r is not None:
            grads = list(r)
    return grads


def _leaf_hooks(x, g):
    for h in list(x["hooks"]):
        r = h(g)
        if r is not None:
            g = _checked_hook_result(h, g, r)
    return g


def _checked_hook_result(hook, g, r):
    """A tensor hook may replace the gradient, not reshape it (torch's check, with its text)."""
    if isinstance(r, Tensor) and r._data.shape != g._data.shape:
        raise RuntimeError(f"hook '{getattr(hook, '__name__', type(hook).__name__)}' has changed the size of value")
    return r


def _accumulate(var, g, create_graph):
    x = var._x
    if not _malloc_state and g._data.size >= _BIG:
        _tune_malloc()  # once: big leaves mean big temporaries in every backward (see malloc.py)
    if var._grad is None:
        if create_graph:
            from .ops import T, apply, zeros_like
            # torch stores a fresh .grad by copying into a new tensor: a CopyBackwards node
            var._grad = apply(T["copy"], (zeros_like(g), g)) if g._rg else g
        else:
            # the engine may hand the same array to several places: a leaf owns its .grad
            # steal the array only if nothing else can see it (no other ref, no hook that may keep it)
            d = g._data
            steal = type(d) is np.ndarray and d.flags.owndata and not _shared(g) and not (x is not None
                                                                                       and x.get("hooks"))
            var._grad = Tensor._make(d if steal else np.array(d))
    elif create_graph or var._grad._rg:
        var._grad = var._grad + g
    else:
        np.add(storage(var._grad), g._data, out=var._grad._data, casting="unsafe")
    if x is not None:
        for h in list(x.get("post_hooks", ())):
            h(var)


def _shared(g):
    import sys
    # the array's refs: g's slot, the attribute load and getrefcount's argument; any more is another owner
    return sys.getrefcount(g._data) > 3


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    if isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    if OBSERVERS:
        notify(Backward("backward", tuple(tensors), inputs, retain_graph, create_graph))
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    roots = _root_grads(tuple(tensors), grad_tensors, create_graph)
    targets = None
    if inputs is not None:
        if isinstance(inputs, Tensor):
            inputs = (inputs,)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        targets = {}
        for t in inputs:
            targets[t._grad_edge()] = t
    captured = run(roots, retain_graph, create_graph, targets)
    if targets is not None:
        # non-leaf inputs get their gradient in .grad too (leaves got it through AccumulateGrad)
        for edge, t in targets.items():
            g = captured.get(edge)
            if t.grad_fn is not None and g is not None:
                t._grad = (g if create_graph else g.detach()) if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    if OBSERVERS:
        notify(Backward("grad", outputs, inputs, retain_graph, create_graph))
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _root_grads(outputs, grad_outputs, create_graph)
    edges = [inputs[0]._grad_edge()] if len(inputs) == 1 else [t._grad_edge() for t in inputs]
    captured = run(roots, retain_graph, create_graph, targets=set(edges), accumulate=False)
    result = []
    for i, (t, e) in enumerate(zip(inputs, edges)):
        g = captured.get(e)
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from .ops import zeros_like
                g = zeros_like(t)
        elif not create_graph and g._rg:  # computed without a graph, it is already a plain tensor
            g = g.detach()
        result.append(g)
    return tuple(result)
