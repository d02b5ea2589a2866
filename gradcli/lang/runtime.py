"""The interpreter's less frequent instructions, argument binding, exception unwinding and limit checks.

The hot instructions live inline in `Interpreter._loop`; everything else is a handler here, called as
`HANDLERS[op](vm, frame, arg)`. A handler may push or pop frames; the loop reloads its state after it.
"""
from __future__ import annotations

import itertools
import re
import operator
import types

import numpy as np

from ..autograd.tensor import TENSOR_TYPES
from ..nn.module import Module as _Module
from . import compiler as C
from .errors import GradError, GradLimitError, GradNameError, GradTypeError
from .sandbox import SCRIPT_CLASS_FLAG, del_attr, get_attr, set_attr

_EXCEPT, _FINALLY, _WITH = 0, 1, 2
SIZED = frozenset({list, tuple, str})
HANDLERS: list = [None] * len(C.OPS)


def handler(op):
    def register(fn):
        HANDLERS[op] = fn
        return fn
    return register


# ---------------------------------------------------------------- errors and limits
def unbound(name: str) -> Exception:
    if name.startswith("$") or name == ".0":
        return RuntimeError("No active exception to reraise")
    return UnboundLocalError(f"cannot access local variable '{name}' where it is not associated with a value")


_UNAVAILABLE = {
    **dict.fromkeys(("open", "input", "compile", "exec", "eval", "__import__", "globals", "locals", "vars",
                     "dir", "getattr", "setattr", "delattr", "breakpoint", "help", "exit", "quit", "memoryview",
                     "bytes", "bytearray"), "is not available in .grad scripts"),
}


def load_builtin(vm, name: str):
    try:
        return vm.builtins[name]
    except KeyError:
        pass
    if name in _UNAVAILABLE:
        raise GradNameError(f"'{name}' {_UNAVAILABLE[name]} (no files, no Python introspection)")
    raise NameError(f"name '{name}' is not defined")


def depth_error(limits) -> GradLimitError:
    return GradLimitError(f"calls nest too deeply: more than {limits.max_call_depth} at once "
                          "(infinite recursion? raise the limit with --max-call-depth)")


def loop_error(limits) -> GradLimitError:
    return GradLimitError(f"loops ran more than {limits.max_loop_iterations:,} iterations "
                          "(infinite loop? raise the limit with --max-loop-iterations)")


def too_many_elements(limits, n: int):
    raise GradLimitError(f"a result of {n:,} elements is over the limit of {limits.max_tensor_elements:,} "
                         "(raise it with --max-tensor-elements)")


def check_budget(vm) -> None:
    limits = vm.limits
    if vm.steps > limits.max_steps:
        raise GradLimitError(f"the script ran more than {limits.max_steps:,} statements "
                             "(raise the limit with --max-steps)")
    from .interpreter import _node_counter
    if _node_counter() - vm.nodes_at_start > limits.max_graph_nodes:
        raise GradLimitError(f"the script created more than {limits.max_graph_nodes:,} autograd graph nodes "
                             "(raise the limit with --max-graph-nodes)")


def _numel(x) -> int:
    if type(x) in TENSOR_TYPES:
        return x._data.size
    if isinstance(x, np.ndarray):
        return x.size
    return 1


_WIDE = re.compile(r"\d{7,}")


def check_format_spec(spec: str) -> None:
    """`f"{x:999999999}"` would build a gigabyte of spaces."""
    if _WIDE.search(spec):
        raise GradLimitError(f"format width or precision too large in '{spec[:40]}'")


def check_binop(limits, fn, a, b) -> None:
    """Refuse, before computing it, a result larger than the element limit (broadcast or repetition)."""
    limit = limits.max_tensor_elements
    ta, tb = type(a), type(b)
    if ta in SIZED or tb in SIZED:  # list * n, "ab" * n, "%9999999d" % x
        if ta is str and fn in (operator.mod, operator.imod):
            check_format_spec(a)
        elif fn in (operator.mul, operator.imul):
            seq, n = (a, b) if ta in SIZED else (b, a)
            if isinstance(n, int) and len(seq) * n > limit:
                too_many_elements(limits, len(seq) * n)
        return
    na, nb = _numel(a), _numel(b)
    if na * nb <= limit:  # the result cannot be larger than the product
        return
    sa, sb = tuple(np.shape(_raw(a))), tuple(np.shape(_raw(b)))
    try:
        if fn in (operator.matmul, operator.imatmul) and len(sa) >= 1 and len(sb) >= 1:
            batch = np.broadcast_shapes(sa[:-2], sb[:-2])
            rows = sa[-2] if len(sa) >= 2 else 1
            cols = sb[-1] if len(sb) >= 2 else 1
            n = int(np.prod(batch, dtype=np.int64)) * rows * cols
        else:
            n = int(np.prod(np.broadcast_shapes(sa, sb), dtype=object))
    except ValueError:
        return  # the operation itself reports the shape mismatch, in torch's words
    if n > limit:
        too_many_elements(limits, n)


def _raw(x):
    return x._data if type(x) in TENSOR_TYPES else x


def repeated(names) -> str:
    seen = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return names[0]


# ---------------------------------------------------------------- calls
def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(missing) -> str:
    quoted = [f"'{m}'" for m in missing]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def bind(func, args, kwargs) -> dict:
    """The callee's locals for a call: Python's rules for positional, default, *args, keyword-only, **kw."""
    code = func.code
    pos = code.positional
    if not kwargs and code.simple and len(args) == len(pos):
        return dict(zip(pos, args))
    name = code.name
    local: dict = {}
    n = len(pos)
    if len(args) > n and code.varargs is None:
        required = n - len(func.defaults)
        given = len(args)
        takes = f"from {required} to {n}" if func.defaults else str(n)
        word = "argument" if n == 1 and not func.defaults else "arguments"
        raise TypeError(f"{name}() takes {takes} positional {word} but {given} "
                        f"{'was' if given == 1 else 'were'} given")
    local.update(zip(pos, args))
    extra = {} if code.varkw is not None else None
    if kwargs:
        for key, value in kwargs.items():
            if key in local:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            if key in pos or key in code.kwonly:
                local[key] = value
            elif extra is not None:
                extra[key] = value
            else:
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if code.varargs is not None:
        local[code.varargs] = tuple(args[n:])
    defaults = func.defaults
    first_default = n - len(defaults)
    missing = []
    for i in range(len(args), n):
        p = pos[i]
        if p not in local:
            if i >= first_default:
                local[p] = defaults[i - first_default]
            else:
                missing.append(p)
    if missing:
        raise TypeError(f"{name}() missing {len(missing)} required positional "
                        f"{'argument' if len(missing) == 1 else 'arguments'}: {_names(missing)}")
    missing = [k for k in code.kwonly if k not in local and k not in func.kwdefaults]
    if missing:
        raise TypeError(f"{name}() missing {len(missing)} required keyword-only "
                        f"{'argument' if len(missing) == 1 else 'arguments'}: {_names(missing)}")
    for k in code.kwonly:
        if k not in local:
            local[k] = func.kwdefaults[k]
    if extra is not None:
        local[code.varkw] = extra
    return local


def invoke(vm, frame, f, args, kwargs) -> None:
    """Call f: a script function gets a frame (no Python recursion), anything else is called natively."""
    from .interpreter import Frame, ScriptFunction
    callee = f.__func__ if type(f) is types.MethodType else f
    if type(callee) is ScriptFunction:
        if callee is not f:
            args = (f.__self__, *args)
        if len(vm.frames) >= vm.limits.max_call_depth:
            raise depth_error(vm.limits)
        vm.frames.append(Frame(callee.code, bind(callee, args, kwargs), callee.env, callee.globals, callee))
        return
    r = f(*args, **kwargs)
    if type(r) in TENSOR_TYPES and r._data.size > vm.limits.max_tensor_elements:
        too_many_elements(vm.limits, r._data.size)
    frame.stack.append(r)


# ---------------------------------------------------------------- exceptions
def handle_exception(vm, exc: BaseException, base: int):
    """Find a handler for exc in the frames above base. None if one took it, else what to raise."""
    frames = vm.frames
    catchable = isinstance(exc, Exception) and not isinstance(exc, (GradError, RecursionError, MemoryError))
    trace = _trace(exc)
    while len(frames) > base:
        frame = frames[-1]
        if trace is not None and not any(f is frame for f, _ in trace):
            trace.append((frame, frame.code.spans[frame.pc - 1]))
        while frame.blocks:
            kind, target, depth, exit_ = frame.blocks.pop()
            del frame.stack[depth:]
            if kind == _WITH:
                try:
                    suppress = exit_(type(exc), exc, exc.__traceback__)
                except Exception as new:  # an __exit__ that raises replaces the exception
                    new.__context__ = exc
                    exc, catchable, trace = new, not isinstance(new, GradError), _trace(new)
                    continue
                if suppress and catchable:
                    frame.pc = target
                    return None
            elif not catchable:
                continue
            elif kind == _EXCEPT:
                frame.stack.append(exc)
                frame.pc = target
                return None
            else:
                frame.stack.append(("raise", exc))
                frame.pc = target
                return None
        frames.pop()
    return exc


def _trace(exc):
    try:
        trace = exc.__dict__.setdefault("_grad_trace", [])
    except AttributeError:
        return None
    return trace


def _unwind(vm, frame, count: int, pending) -> bool:
    """Leave `count` blocks of frame for a return or a break/continue; True if a finally took over."""
    while count:
        kind, target, depth, exit_ = frame.blocks.pop()
        count -= 1
        del frame.stack[depth:]
        if kind == _WITH:
            exit_(None, None, None)
        elif kind == _FINALLY:
            if pending[0] == "jump":
                pending = ("jump", pending[1], count)
            frame.stack.append(pending)
            frame.pc = target
            return True
    return False


def unwind_return(vm, frame) -> bool:
    """RETURN with blocks open: run their exits; True if a finally body runs first."""
    value = frame.stack[-1]
    if _unwind(vm, frame, len(frame.blocks), ("return", value)):
        return True
    frame.stack.append(value)
    return False


@handler(C.BREAK)
def _break(vm, frame, arg):
    target, count = arg
    if not _unwind(vm, frame, count, ("jump", target, 0)):
        frame.pc = target


@handler(C.END_FINALLY)
def _end_finally(vm, frame, arg):
    pending = frame.stack.pop()
    if pending is None:
        return
    kind = pending[0]
    if kind == "raise":
        raise pending[1]
    if kind == "return":
        frame.stack.append(pending[1])
        frame.pc = len(frame.code.ops) - 1  # every body ends with RETURN: return from there
    elif not _unwind(vm, frame, pending[2], pending):
        frame.pc = pending[1]


@handler(C.SETUP_EXCEPT)
def _setup_except(vm, frame, arg):
    frame.blocks.append((_EXCEPT, arg, len(frame.stack), None))


@handler(C.SETUP_FINALLY)
def _setup_finally(vm, frame, arg):
    frame.blocks.append((_FINALLY, arg, len(frame.stack), None))


@handler(C.SETUP_WITH)
def _setup_with(vm, frame, arg):
    ctx = frame.stack.pop()
    t = type(ctx)
    if not (hasattr(t, "__enter__") and hasattr(t, "__exit__")):
        raise TypeError(f"'{t.__name__}' object does not support the context manager protocol")
    value = t.__enter__(ctx)
    frame.blocks.append((_WITH, arg, len(frame.stack), types.MethodType(t.__exit__, ctx)))
    frame.stack.append(value)


@handler(C.POP_BLOCK)
def _pop_block(vm, frame, arg):
    frame.blocks.pop()


@handler(C.WITH_EXIT)
def _with_exit(vm, frame, arg):
    frame.blocks.pop()[3](None, None, None)


@handler(C.EXC_MATCH)
def _exc_match(vm, frame, arg):
    kinds = frame.stack.pop()
    exc = frame.stack.pop()
    options = kinds if isinstance(kinds, tuple) else (kinds,)
    if not all(isinstance(k, type) and issubclass(k, BaseException) for k in options):
        raise TypeError("catching classes that do not inherit from BaseException is not allowed")
    frame.stack.append(isinstance(exc, kinds))


@handler(C.RAISE)
def _raise(vm, frame, arg):
    if arg == 0:
        raise RuntimeError("No active exception to reraise")
    cause = frame.stack.pop() if arg == 2 else None
    exc = frame.stack.pop()
    if isinstance(exc, type) and issubclass(exc, BaseException):
        exc = exc()
    if not isinstance(exc, BaseException):
        raise TypeError("exceptions must derive from BaseException")
    if isinstance(cause, type) and issubclass(cause, BaseException):
        cause = cause()
    trace = _trace(exc)
    if trace is not None:
        trace.clear()  # reported from where it was raised last, as Python does
    if arg == 2:
        raise exc from cause
    raise exc


@handler(C.RERAISE)
def _reraise(vm, frame, arg):
    raise frame.stack.pop()


@handler(C.RAISE_ASSERT)
def _raise_assert(vm, frame, arg):
    raise AssertionError(frame.stack.pop()) if arg else AssertionError()


# ---------------------------------------------------------------- names
@handler(C.STORE_GLOBAL)
def _store_global(vm, frame, arg):
    frame.globals[arg] = frame.stack.pop()


@handler(C.LOAD_DEREF)
def _load_deref(vm, frame, arg):
    depth, name = arg
    try:
        frame.stack.append(frame.env[depth - 1][name])
    except KeyError:
        raise NameError(f"cannot access free variable '{name}' where it is not associated with a value "
                        "in enclosing scope") from None


@handler(C.STORE_DEREF)
def _store_deref(vm, frame, arg):
    depth, name = arg
    frame.env[depth - 1][name] = frame.stack.pop()


@handler(C.LOAD_NAME)
def _load_name(vm, frame, arg):
    name, depth = arg
    for scope in (frame.locals, frame.env[depth - 1] if depth else None, frame.globals):
        if scope is not None and name in scope:
            frame.stack.append(scope[name])
            return
    frame.stack.append(load_builtin(vm, name))


@handler(C.DELETE_FAST)
def _delete_fast(vm, frame, arg):
    try:
        del frame.locals[arg]
    except KeyError:
        raise NameError(f"name '{arg}' is not defined") from None


@handler(C.DELETE_GLOBAL)
def _delete_global(vm, frame, arg):
    try:
        del frame.globals[arg]
    except KeyError:
        raise NameError(f"name '{arg}' is not defined") from None


@handler(C.DELETE_DEREF)
def _delete_deref(vm, frame, arg):
    depth, name = arg
    try:
        del frame.env[depth - 1][name]
    except KeyError:
        raise NameError(f"name '{name}' is not defined") from None


# ---------------------------------------------------------------- attributes, items, operators
@handler(C.STORE_ATTR)
def _store_attr(vm, frame, arg):
    obj = frame.stack.pop()
    set_attr(obj, arg, frame.stack.pop())


@handler(C.DELETE_ATTR)
def _delete_attr(vm, frame, arg):
    del_attr(frame.stack.pop(), arg)


@handler(C.SUBSCR)
def _subscr(vm, frame, arg):
    index = frame.stack.pop()
    frame.stack[-1] = frame.stack[-1][index]


@handler(C.STORE_SUBSCR)
def _store_subscr(vm, frame, arg):
    s = frame.stack
    index, obj, value = s.pop(), s.pop(), s.pop()
    obj[index] = value


@handler(C.DELETE_SUBSCR)
def _delete_subscr(vm, frame, arg):
    index = frame.stack.pop()
    del frame.stack.pop()[index]


@handler(C.INPLACE)
def _inplace(vm, frame, arg):
    b = frame.stack.pop()
    a = frame.stack[-1]
    check_binop(vm.limits, arg, a, b)
    frame.stack[-1] = arg(a, b)


@handler(C.COMPARE)
def _compare(vm, frame, arg):
    b = frame.stack.pop()
    a = frame.stack[-1]
    if type(a) in TENSOR_TYPES or type(b) in TENSOR_TYPES:
        check_binop(vm.limits, arg, a, b)
    frame.stack[-1] = arg(a, b)


@handler(C.UNARY)
def _unary(vm, frame, arg):
    frame.stack[-1] = arg(frame.stack[-1])


# ---------------------------------------------------------------- stack shuffles and jumps
@handler(C.DUP)
def _dup(vm, frame, arg):
    frame.stack.append(frame.stack[-1])


@handler(C.DUP2)
def _dup2(vm, frame, arg):
    frame.stack.extend(frame.stack[-2:])


@handler(C.ROT2)
def _rot2(vm, frame, arg):
    s = frame.stack
    s[-1], s[-2] = s[-2], s[-1]


@handler(C.ROT3)
def _rot3(vm, frame, arg):
    s = frame.stack
    s[-3], s[-2], s[-1] = s[-1], s[-3], s[-2]


@handler(C.DUP_ROT3)
def _dup_rot3(vm, frame, arg):
    s = frame.stack
    b = s[-1]
    s[-1] = s[-2]
    s[-2] = b
    s.append(b)


@handler(C.POP_JUMP_IF_TRUE)
def _pop_jump_if_true(vm, frame, arg):
    if frame.stack.pop():
        frame.pc = arg


@handler(C.JUMP_IF_FALSE_OR_POP)
def _jump_if_false_or_pop(vm, frame, arg):
    if not frame.stack[-1]:
        frame.pc = arg
    else:
        frame.stack.pop()


@handler(C.JUMP_IF_TRUE_OR_POP)
def _jump_if_true_or_pop(vm, frame, arg):
    if frame.stack[-1]:
        frame.pc = arg
    else:
        frame.stack.pop()


# ---------------------------------------------------------------- building values
def _take(stack, n):
    if not n:
        return []
    items = stack[-n:]
    del stack[-n:]
    return items


@handler(C.BUILD_TUPLE)
def _build_tuple(vm, frame, arg):
    frame.stack.append(tuple(_take(frame.stack, arg)))


@handler(C.BUILD_LIST)
def _build_list(vm, frame, arg):
    frame.stack.append(_take(frame.stack, arg))


@handler(C.BUILD_DICT)
def _build_dict(vm, frame, arg):
    items = _take(frame.stack, 2 * arg)
    frame.stack.append(dict(zip(items[::2], items[1::2])))


@handler(C.BUILD_SLICE)
def _build_slice(vm, frame, arg):
    frame.stack.append(slice(*_take(frame.stack, 3)))


@handler(C.BUILD_STRING)
def _build_string(vm, frame, arg):
    frame.stack.append("".join(_take(frame.stack, arg)))


@handler(C.FORMAT)
def _format(vm, frame, arg):
    conversion, has_spec = arg
    spec = frame.stack.pop() if has_spec else ""
    value = frame.stack.pop()
    if conversion == "r":
        value = repr(value)
    elif conversion == "s":
        value = str(value)
    elif conversion == "a":
        value = ascii(value)
    check_format_spec(spec)
    frame.stack.append(format(value, spec))


@handler(C.LIST_APPEND)
def _list_append(vm, frame, arg):
    v = frame.stack.pop()
    target = frame.stack[-arg]
    if len(target) >= vm.limits.max_tensor_elements:
        too_many_elements(vm.limits, len(target) + 1)
    target.append(v)


@handler(C.LIST_EXTEND)
def _list_extend(vm, frame, arg):
    v = frame.stack.pop()
    frame.stack[-1].extend(guard_iterable(vm, v))


@handler(C.DICT_SET)
def _dict_set(vm, frame, arg):
    v = frame.stack.pop()
    d = frame.stack[-1]
    if arg in d:
        raise TypeError(f"got multiple values for keyword argument '{arg}'")
    d[arg] = v


@handler(C.DICT_UPDATE)
def _dict_update(vm, frame, arg):
    v = frame.stack.pop()
    if not isinstance(v, dict):
        raise TypeError(f"argument after ** must be a mapping, not {type(v).__name__}")
    d = frame.stack[-1]
    for k, value in v.items():
        if not isinstance(k, str):
            raise TypeError("keywords must be strings")
        if k in d:
            raise TypeError(f"got multiple values for keyword argument '{k}'")
        d[k] = value


@handler(C.UNPACK)
def _unpack(vm, frame, arg):
    seq = frame.stack.pop()
    items = list(itertools.islice(iter(seq), arg + 1))
    if len(items) != arg:
        if len(items) > arg:
            raise ValueError(f"too many values to unpack (expected {arg})")
        raise ValueError(f"not enough values to unpack (expected {arg}, got {len(items)})")
    frame.stack.extend(reversed(items))


def guard_iterable(vm, obj):
    """Refuse a range that no loop could finish within the limits before a native function walks it."""
    if type(obj) is range and len(obj) > vm.limits.max_loop_iterations:
        raise GradLimitError(f"range of {len(obj):,} numbers is over the loop limit of "
                             f"{vm.limits.max_loop_iterations:,} (raise it with --max-loop-iterations)")
    return obj


@handler(C.GET_ITER)
def _get_iter(vm, frame, arg):
    frame.stack.append(iter(frame.stack.pop()))


@handler(C.TO_ITER)
def _to_iter(vm, frame, arg):
    frame.stack[-1] = iter(frame.stack[-1])


@handler(C.CALL_EX)
def _call_ex(vm, frame, arg):
    kwargs = frame.stack.pop()
    args = frame.stack.pop()
    f = frame.stack.pop()
    invoke(vm, frame, f, args, kwargs)


@handler(C.LOAD_SUPER)
def _load_super(vm, frame, arg):
    func = frame.func
    owner = func.owner if func is not None else None
    first = frame.code.first_arg
    if owner is None or first is None or first not in frame.locals:
        raise RuntimeError("super(): no arguments" if first is None else "super(): __class__ cell not found")
    frame.stack.append(super(owner, frame.locals[first]))


@handler(C.MAKE_FUNCTION)
def _make_function(vm, frame, arg):
    from .interpreter import ScriptFunction
    code, ndefaults, kwnames = arg
    kwvalues = _take(frame.stack, len(kwnames))
    defaults = tuple(_take(frame.stack, ndefaults))
    frame.stack.append(ScriptFunction(code, defaults, dict(zip(kwnames, kwvalues)), _closure_env(frame),
                                      frame.globals, vm))


def _closure_env(frame) -> tuple:
    """The scopes a function defined in frame can see: the frame's own if it is a function, then outer."""
    return (frame.locals,) + frame.env if frame.code.kind == "function" else frame.env


@handler(C.MAKE_CLASS)
def _make_class(vm, frame, arg):
    from .interpreter import Frame, ScriptFunction
    name, code = arg
    base = frame.stack.pop()
    bases = (vm.builtins["object"],) if base is None else (base,)
    if not isinstance(bases[0], type) or not _allowed_base(vm, bases[0]):
        raise GradTypeError(f"class {name} cannot derive from {getattr(base, '__name__', type(base).__name__)}: "
                            "a .grad class derives from nn.Module, autograd.Function, an exception class, "
                            "another class of the script, or nothing")
    namespace = vm.execute(Frame(code, {"__module__": "__main__", "__qualname__": name}, _closure_env(frame),
                                 frame.globals))
    odd = sorted(k for k in namespace if k.startswith("__") and k.endswith("__") and k not in _CLASS_DUNDERS)
    if odd:
        raise GradNameError(f"class {name} defines '{odd[0]}', which .grad scripts cannot define "
                            f"(allowed: {', '.join(sorted(_CLASS_DUNDERS - {'__module__', '__qualname__'}))})")
    namespace[SCRIPT_CLASS_FLAG] = True
    cls = types.new_class(name, bases, {}, lambda ns: ns.update(namespace))
    for value in namespace.values():
        inner = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if type(inner) is ScriptFunction:
            inner.owner = cls
    if issubclass(cls, _Module) and cls.__call__ is _Module.__call__ and type(cls.forward) is ScriptFunction:
        vm.module_forward[cls] = cls.forward  # calls go straight to forward (no hooks: see the loop)
    frame.stack.append(cls)


# special methods a script class may define: construction, calling, printing, containers, comparisons,
# arithmetic; not the ones that run at unpredictable times (__del__) or change attribute lookup itself
_CLASS_DUNDERS = frozenset("""__module__ __qualname__ __init__ __call__ __repr__ __str__ __len__ __getitem__
__setitem__ __iter__ __contains__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __hash__ __bool__ __add__ __radd__
__sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __neg__ __matmul__ __pow__ __enter__
__exit__""".split())


def _allowed_base(vm, base: type) -> bool:
    from .sandbox import _trusted_class
    return base is vm.builtins["object"] or issubclass(base, BaseException) or _trusted_class(base)


@handler(C.IMPORT)
def _import(vm, frame, arg):
    name, top = arg
    modules = vm.modules
    if name not in modules:
        from .errors import GradImportError
        available = ", ".join(sorted(modules))
        raise GradImportError(f"module '{name}' is not available in .grad scripts (available: {available})")
    frame.stack.append(modules[name.split(".")[0]] if top else modules[name])


@handler(C.IMPORT_FROM)
def _import_from(vm, frame, arg):
    module, name = arg
    full = f"{module}.{name}"
    if full in vm.modules:
        frame.stack.append(vm.modules[full])
        return
    try:
        frame.stack.append(get_attr(frame.stack[-1], name))
    except AttributeError:
        from .errors import GradImportError
        raise GradImportError(f"cannot import name '{name}' from '{module}'") from None
