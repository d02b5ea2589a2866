"""Handlers of the data instructions: names, attributes, items, operators, building values, functions,
classes and imports (registered in runtime.HANDLERS).

Just over 400 lines on purpose: one handler per opcode, in opcodes.py's order."""
from __future__ import annotations

import itertools
import types

from ..autograd.tensor import TENSOR_TYPES
from ..nn.module import Module as _Module
from . import opcodes as C
from .errors import GradImportError, GradNameError, GradTypeError
from .guards import (MAX_INT_BITS, check_binop, check_format_spec, check_nesting, guard_iterable, int_too_large,
                     load_builtin, too_many_elements)
from .runtime import handler, invoke
from .sandbox import SCRIPT_CLASS_FLAG, del_attr, get_attr, set_attr, trusted_class
from .shown import shown_repr, shown_str, torch_text


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


def _delete(scope: dict, name: str) -> None:
    try:
        del scope[name]
    except KeyError:
        raise NameError(f"name '{name}' is not defined") from None


@handler(C.DELETE_FAST)
def _delete_fast(vm, frame, arg):
    _delete(frame.locals, arg)


@handler(C.DELETE_GLOBAL)
def _delete_global(vm, frame, arg):
    _delete(frame.globals, arg)


@handler(C.DELETE_DEREF)
def _delete_deref(vm, frame, arg):
    _delete(frame.env[arg[0] - 1], arg[1])


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
    r = frame.stack[-1][index]
    if type(r) is tuple:  # list({0: t}.items())[0] is one level deeper than t
        check_nesting(r)
    frame.stack[-1] = r


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
    r = arg(a, b)
    if type(r) is int and r.bit_length() > MAX_INT_BITS:
        int_too_large(r)
    frame.stack[-1] = r


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
    t = tuple(_take(frame.stack, arg))
    check_nesting(t)
    frame.stack.append(t)


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
        value = shown_repr(value)
    elif conversion == "s":
        value = shown_str(value)
    elif conversion == "a":
        value = ascii(value)
    check_format_spec(spec)
    if not spec and type(value) is not str:  # format(cls, '') is str(cls): torch's class names, as print
        value = torch_text(value) or value
    frame.stack.append(format(value, spec))


@handler(C.PRINT_EXPR)
def _print_expr(vm, frame, arg):
    """A bare expression of an interactive session (transcript.py): shown with repr() and kept as `_`."""
    value = frame.stack.pop()
    if value is not None:
        frame.globals["_"] = value
        vm.builtins["print"](shown_repr(value))


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
    for item in items:
        if type(item) is tuple:
            check_nesting(item)
    frame.stack.extend(reversed(items))


@handler(C.UNPACK_EX)
def _unpack_ex(vm, frame, arg):
    """`a, *rest, z = seq`: arg is (targets before the starred one, targets after it)."""
    before, after = arg
    items = list(guard_iterable(vm, frame.stack.pop()))
    if len(items) < before + after:
        raise ValueError(f"not enough values to unpack (expected at least {before + after}, got {len(items)})")
    split = len(items) - after
    frame.stack.extend(reversed(items[:before] + [items[before:split]] + items[split:]))


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
    from .generators import GeneratorFunction
    from .interpreter import ScriptFunction
    code, ndefaults, kwnames = arg
    kwvalues = _take(frame.stack, len(kwnames))
    defaults = tuple(_take(frame.stack, ndefaults))
    kind = GeneratorFunction if code.generator else ScriptFunction
    frame.stack.append(kind(code, defaults, dict(zip(kwnames, kwvalues)), _closure_env(frame),
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
    namespace = vm.execute(Frame(code, {"__module__": "__main__", "__qualname__": code.name}, _closure_env(frame),
                                 frame.globals))
    odd = sorted(k for k in namespace if k.startswith("__") and k.endswith("__") and k not in _CLASS_DUNDERS)
    if odd:
        raise GradNameError(f"class {name} defines '{odd[0]}', which .grad scripts cannot define "
                            f"(allowed: {', '.join(sorted(_CLASS_DUNDERS - {'__module__', '__qualname__'}))})")
    namespace[SCRIPT_CLASS_FLAG] = True
    cls = types.new_class(name, bases, {}, lambda ns: ns.update(namespace))
    for value in namespace.values():
        inner = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if isinstance(inner, ScriptFunction):  # generator functions too (super() in them)
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
    return base is vm.builtins["object"] or issubclass(base, BaseException) or trusted_class(base)


@handler(C.IMPORT)
def _import(vm, frame, arg):
    name, top = arg
    modules = vm.modules
    if name not in modules:
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
        raise GradImportError(f"cannot import name '{name}' from '{module}'") from None
