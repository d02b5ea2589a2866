"""Runs compiled .grad code on an explicit frame stack: script calls never recurse in Python, limits hold.

A script function called from the script pushes a frame onto `Interpreter.frames`; only calls that come
back from native code (nn.Module.__call__ running `forward`, a hook run by the engine, a custom
Function's `forward`) start a nested run of the loop, and those count against the call-depth limit too.
Exceptions unwind through try/with blocks like Python's; what escapes carries the script positions it
passed through (`_grad_trace`), which `runner.py` turns into a positioned GradError.
"""
from __future__ import annotations

import types

from ..autograd.observer import nodes_made
from ..autograd.tensor import TENSOR_TYPES
import numpy as np

from .compiler import Code
from .limits import Limits
from .opcodes import (COMPARE, FOR_ITER_STORE, LOAD_FAST_ATTR, LOAD_GLOBAL_ATTR, BINOP, CALL, CALL_KW, CONST, FOR_ITER, JUMP, JUMP_BACK, LOAD_ATTR, LOAD_FAST,
                       LOAD_GLOBAL, POP, POP_JUMP_IF_FALSE, RETURN, STMT, STORE_FAST)
from . import guards as _g
from . import handlers  # noqa: F401  (imported to register the data instructions)
from . import runtime as _ops
from .sandbox import OPEN_ATTRS as _OPEN_ATTRS, get_attr

__all__ = ["Limits", "Interpreter", "ScriptFunction", "Frame"]


class ScriptFunction:
    """A function defined by a script; callable from native code like any Python function."""

    __slots__ = ("code", "defaults", "kwdefaults", "env", "globals", "vm", "owner", "__name__",
                 "__qualname__", "__weakref__")

    def __init__(self, code: Code, defaults, kwdefaults, env, globals_, vm):
        self.code, self.defaults, self.kwdefaults = code, defaults, kwdefaults
        self.env, self.globals, self.vm, self.owner = env, globals_, vm, None
        self.__qualname__ = code.name
        self.__name__ = code.name.rsplit(".", 1)[-1]

    def __get__(self, obj, objtype=None):  # a method, when stored in a class
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args, **kwargs):
        return self.vm.call(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self.__qualname__} at 0x{id(self):x}>"


class Frame:
    __slots__ = ("code", "pc", "stack", "locals", "env", "globals", "blocks", "func")

    def __init__(self, code: Code, locals_: dict, env: tuple, globals_: dict, func=None):
        # one assignment per slot: a tuple-unpacking assignment costs a third more, once per script call
        self.code = code
        self.locals = locals_
        self.env = env
        self.globals = globals_
        self.func = func
        self.pc = 0
        self.stack: list = []
        self.blocks: list = []  # [kind, handler pc, stack depth, exit function]


class Interpreter:
    """One program run: globals, builtins, limits, counters and the frame stack."""

    def __init__(self, builtins: dict, limits: Limits = Limits(), filename: str = "<input>"):
        self.builtins, self.limits, self.filename = builtins, limits, filename
        self.frames: list[Frame] = []
        self.steps = 0
        self.iterations = 0
        self.nodes_at_start = _node_counter()
        # operands whose size is checked before an operator runs (tensors, arrays, lists, strings)
        self.checked_operands = frozenset(TENSOR_TYPES) | _g.SIZED | {np.ndarray}
        self.module_forward: dict[type, ScriptFunction] = {}  # script nn.Module classes -> their forward
        self.modules: dict = {}

    def reset_counters(self) -> None:
        """Start the limits afresh: each REPL input gets the whole budget, as a script does."""
        self.frames.clear()
        self.steps = self.iterations = 0
        self.nodes_at_start = _node_counter()

    # ---------------------------------------------------------------- entry points
    def run_module(self, code: Code, globals_: dict):
        return self.execute(Frame(code, globals_, (), globals_))

    def call(self, func: ScriptFunction, args: tuple, kwargs: dict):
        """A script function called from native code: a nested run of the loop."""
        frame = self.new_frame(func, args, kwargs)
        return self.execute(frame)

    def new_frame(self, func: ScriptFunction, args, kwargs) -> Frame:
        code = func.code
        return Frame(code, _ops.bind(func, args, kwargs), func.env, func.globals, func)

    def execute(self, entry: Frame):
        frames = self.frames
        base = len(frames)
        if base >= self.limits.max_call_depth:
            raise _g.depth_error(self.limits)
        frames.append(entry)
        while True:
            try:
                return self._loop(base)
            except BaseException as exc:  # noqa: B036  (script errors, limits, interrupts: unwind alike)
                escaped = _ops.handle_exception(self, exc, base)
                if escaped is not None:
                    del frames[base:]
                    if escaped is exc:
                        raise
                    raise escaped from exc

    # ---------------------------------------------------------------- the loop
    def _loop(self, base: int):  # noqa: C901  (one function: the dispatch of the hot instructions)
        frames = self.frames
        frame = frames[-1]
        code = frame.code
        ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
        dispatch = _ops.HANDLERS
        limits = self.limits
        result_checked = _g.RESULT_CHECKED
        max_int_bits = _g.MAX_INT_BITS
        check_nesting = _g.check_nesting
        checked = self.checked_operands
        open_attrs = _OPEN_ATTRS
        module_forward = self.module_forward
        script_callables = {ScriptFunction: 1, types.MethodType: 2}
        switch = _ops.GeneratorSwitch
        # statements are counted against the limit in chunks reserved from self.steps (cheap locals here)
        budget = self._reserve_steps()
        _LOAD_FAST, _CONST, _LOAD_ATTR, _STORE_FAST, _LOAD_GLOBAL, _CALL, _STMT, _POP, _BINOP = (
            LOAD_FAST, CONST, LOAD_ATTR, STORE_FAST, LOAD_GLOBAL, CALL, STMT, POP, BINOP)
        _POP_JUMP_IF_FALSE, _JUMP, _JUMP_BACK, _FOR_ITER, _CALL_KW, _RETURN = (
            POP_JUMP_IF_FALSE, JUMP, JUMP_BACK, FOR_ITER, CALL_KW, RETURN)
        _LOAD_FAST_ATTR, _LOAD_GLOBAL_ATTR, _FOR_ITER_STORE = LOAD_FAST_ATTR, LOAD_GLOBAL_ATTR, FOR_ITER_STORE
        _COMPARE = COMPARE
        tensor_types = TENSOR_TYPES
        max_elements, max_depth = limits.max_tensor_elements, limits.max_call_depth
        max_iterations = limits.max_loop_iterations
        try:
            while True:
                op = ops[pc]
                arg = args[pc]
                pc += 1
                if op == _LOAD_FAST:
                    try:
                        stack.append(local[arg])
                    except KeyError:
                        raise _g.unbound(arg) from None
                elif op == _LOAD_GLOBAL:
                    try:
                        stack.append(frame.globals[arg])
                    except KeyError:
                        stack.append(_g.load_builtin(self, arg))
                elif op == _CALL or op == _CALL_KW:
                    if op == _CALL:
                        n, kwargs = arg, None
                    else:
                        n, names = arg
                        kwargs = dict(zip(names, stack[len(stack) - len(names):]))
                        if len(kwargs) < len(names):
                            raise TypeError(f"keyword argument repeated: {_g.repeated(names)}")
                        del stack[len(stack) - len(names):]
                    f = stack[-n - 1]
                    tf = type(f)
                    kind = script_callables.get(tf)
                    if kind == 1:
                        callee, a = f, stack[len(stack) - n:]
                    elif kind == 2 and type(f.__func__) is ScriptFunction:
                        callee, a = f.__func__, [f.__self__, *stack[len(stack) - n:]]
                    elif tf in module_forward and not f._forward_hooks and not f._forward_pre_hooks \
                            and "forward" not in f.__dict__:  # Module.__call__ would only call forward
                        callee, a = module_forward[tf], [f, *stack[len(stack) - n:]]
                    else:
                        frame.pc = pc  # native code may call back into the script, or warn
                        if kwargs:
                            a = stack[len(stack) - n:]
                            del stack[len(stack) - n - 1:]
                            r = f(*a, **kwargs)
                        elif n == 0:
                            stack.pop()
                            r = f()
                        elif n == 1:
                            a = stack.pop()
                            stack.pop()
                            r = f(a)
                        else:
                            a = stack[len(stack) - n:]
                            del stack[len(stack) - n - 1:]
                            r = f(*a)
                        tr = type(r)
                        if tr in tensor_types:  # whatever made it: the size budget (check_result, inlined)
                            if r._data.size > max_elements:
                                _g.too_many_elements(limits, r._data.size)
                        elif tr in result_checked:
                            _g.check_result(limits, r)
                        stack.append(r)
                        continue
                    del stack[len(stack) - n - 1:]
                    frame.pc = pc
                    if len(frames) >= max_depth:
                        raise _g.depth_error(limits)
                    code = callee.code
                    na = len(a)
                    if kwargs is None and na == code.arity:  # runtime.bind's fast path, inlined
                        pos = code.positional
                        if na == 1:
                            local = {pos[0]: a[0]}
                        elif na == 2:
                            local = {pos[0]: a[0], pos[1]: a[1]}
                        else:
                            local = dict(zip(pos, a))
                    else:
                        local = _ops.bind(callee, a, kwargs)
                    frame = Frame(code, local, callee.env, callee.globals, callee)
                    frames.append(frame)
                    ops, args, stack, pc = code.ops, code.args, frame.stack, 0
                elif op == _STORE_FAST:
                    local[arg] = stack.pop()
                elif op == _CONST:
                    stack.append(arg)
                elif op == _LOAD_FAST_ATTR or op == _LOAD_GLOBAL_ATTR:  # `name.attr` in one dispatch
                    name, attr = arg
                    if op == _LOAD_FAST_ATTR:
                        try:
                            obj = local[name]
                        except KeyError:
                            raise _g.unbound(name) from None
                    else:
                        try:
                            obj = frame.globals[name]
                        except KeyError:
                            obj = _g.load_builtin(self, name)
                    frame.pc = pc  # reading an attribute may warn (a non-leaf's .grad)
                    if type(obj) in open_attrs and attr[0] != "_":
                        stack.append(getattr(obj, attr))
                    else:
                        stack.append(get_attr(obj, attr))
                elif op == _POP:
                    stack.pop()
                elif op == _BINOP:
                    b = stack.pop()
                    a = stack[-1]
                    if type(a) in checked or type(b) in checked:
                        frame.pc = pc  # tensor ops may warn, and observers ask where the script is
                        _g.check_binop(limits, arg, a, b)
                    r = arg(a, b)
                    if type(r) is int and r.bit_length() > max_int_bits:  # `x = x * x` over and over
                        _g.int_too_large(r)
                    stack[-1] = r
                elif op == _STMT:  # a body or a loop iteration starts: charge its statements
                    budget -= arg
                    if budget < 0:  # past the reserved chunk (nothing reserved is left if the limit raises)
                        over, budget = -budget, 0
                        budget = self._next_chunk(frame, pc, over)
                elif op == _LOAD_ATTR:
                    obj = stack[-1]
                    frame.pc = pc  # reading an attribute may warn (a non-leaf's .grad)
                    if type(obj) in open_attrs and arg[0] != "_":
                        stack[-1] = getattr(obj, arg)
                    else:
                        stack[-1] = get_attr(obj, arg)
                elif op == _FOR_ITER_STORE:
                    try:
                        v = next(stack[-1])
                    except StopIteration as stop:
                        if type(stop) is switch:  # a script generator's frame is on top now: run it
                            frame.pc = pc
                            frame = frames[-1]
                            code = frame.code
                            ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
                            continue
                        stack.pop()
                        pc = arg[0]
                        continue
                    if type(v) is tuple:  # `for t in {0: t}.items()` nests one level deeper each time
                        check_nesting(v)
                    local[arg[1]] = v
                elif op == _JUMP_BACK:  # the next iteration: counted, and its statements charged (see STMT)
                    self.iterations += 1
                    if self.iterations > max_iterations:
                        raise _g.loop_error(limits)
                    pc, charge = arg
                    budget -= charge
                    if budget < 0:
                        over, budget = -budget, 0
                        budget = self._next_chunk(frame, pc, over)
                elif op == _RETURN:
                    if frame.blocks:  # leaving with/finally blocks first
                        frame.pc = pc
                        if _ops.unwind_return(self, frame):
                            frame = frames[-1]
                            code = frame.code
                            ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
                            continue
                    value = stack.pop()
                    frames.pop()
                    if len(frames) == base:
                        self.steps -= budget  # give back the statements reserved but not run
                        return value if code.kind != "class" else local
                    frame = frames[-1]
                    code = frame.code
                    ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
                    stack.append(value)
                elif op == _COMPARE:
                    b = stack.pop()
                    a = stack[-1]
                    frame.pc = pc  # a script class's __eq__ runs nested, under this position
                    if type(a) in tensor_types or type(b) in tensor_types:
                        _g.check_binop(limits, arg, a, b)
                    stack[-1] = arg(a, b)
                elif op == _POP_JUMP_IF_FALSE:
                    if not stack.pop():
                        pc = arg
                elif op == _FOR_ITER:
                    try:
                        v = next(stack[-1])
                    except StopIteration as stop:
                        if type(stop) is switch:
                            frame.pc = pc
                            frame = frames[-1]
                            code = frame.code
                            ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
                            continue
                        stack.pop()
                        pc = arg
                        continue
                    if type(v) is tuple:
                        check_nesting(v)
                    stack.append(v)
                elif op == _JUMP:
                    pc = arg
                else:
                    frame.pc = pc
                    dispatch[op](self, frame, arg)
                    frame = frames[-1]
                    code = frame.code
                    ops, args, stack, local, pc = code.ops, code.args, frame.stack, frame.locals, frame.pc
        except BaseException:  # noqa: B036  (record where, for the handler and the report)
            frame.pc = pc
            self.steps -= budget
            raise

    def _next_chunk(self, frame: Frame, pc: int, over: int) -> int:
        """Statements run past the reserved chunk: spend them too, check the limit there, reserve more."""
        self.steps += over
        frame.pc = pc
        _g.check_budget(self)
        return self._reserve_steps()

    def _reserve_steps(self) -> int:
        """Take the next chunk of the statement budget; the limit error comes from check_budget."""
        chunk = max(min(_STEP_CHUNK, self.limits.max_steps - self.steps), 0)
        self.steps += chunk
        return chunk


_STEP_CHUNK = 1024


def _node_counter() -> int:
    """Autograd nodes created so far in this process (the engine numbers every node it makes)."""
    return nodes_made()


from . import generators  # noqa: E402,F401  (registers YIELD, GEN_RETURN and GET_ITER; needs Frame above)
