"""The interpreter's control flow off the hot path: argument binding, calls, exception unwinding through
try/with/finally blocks, and the registry of instruction handlers.

The hot instructions live inline in `Interpreter._loop`; every other one is a handler, called as
`HANDLERS[op](vm, frame, arg)` (control flow here, data in `handlers.py`). A handler may push or pop
frames; the loop reloads its state after it.
"""
from __future__ import annotations

import types

from . import opcodes as C
from .errors import GradError
from .guards import RESULT_CHECKED, check_nesting, check_result, depth_error

_EXCEPT, _FINALLY, _WITH = 0, 1, 2


class GeneratorSwitch(StopIteration):
    """Raised by a script `for` loop's iterator when it pushed a generator's frame to run (generators.py);
    a StopIteration so that the loop's FOR_ITER sees it only on its exhausted-iterator path."""


HANDLERS: list = [None] * len(C.OPS)


def handler(op):
    def register(fn):
        HANDLERS[op] = fn
        return fn
    return register


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
        rest = tuple(args[n:])
        check_nesting(rest)  # `def f(*a): return a` called on its own result
        local[code.varargs] = rest
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
    if type(r) in RESULT_CHECKED:
        check_result(vm.limits, r)
    frame.stack.append(r)


# ---------------------------------------------------------------- exceptions
def handle_exception(vm, exc: BaseException, base: int):
    """Find a handler for exc in the frames above base. None if one took it, else what to raise."""
    frames = vm.frames
    # GeneratorExit: a dropped generator being closed (generators.py); its finally bodies run
    catchable = isinstance(exc, (Exception, GeneratorExit)) and not isinstance(exc, (GradError, RecursionError,
                                                                                    MemoryError))
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
        gen = getattr(frame, "gen", None)  # a generator's frame: a weak reference to it
        gen = gen() if gen is not None else None
        if gen is not None:  # an exception ends a generator; StopIteration may not leave one (PEP 479)
            gen.finish()
            if isinstance(exc, StopIteration):
                new = RuntimeError("generator raised StopIteration")
                new.__cause__ = exc
                if trace is not None:
                    new._grad_trace = trace
                exc, catchable = new, True
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
