"""Script generators: a function with `yield` (or a generator expression) runs as a suspended frame.

Calling a generator function binds its arguments into a frame that is not run yet: the `Generator`. The
frame is resumed in one of two ways, and neither recurses in Python over the script's depth:
- inline: a `for` loop of the script (also `yield from`, comprehensions) iterates a generator through
  an `_Inline` wrapper that GET_ITER puts on the stack. Its `__next__` pushes the generator's frame onto
  the interpreter's frame stack and raises `GeneratorSwitch`, which the loop's FOR_ITER takes as "run
  the frame on top"; YIELD pops the frame and hands the value to the FOR_ITER that asked, GEN_RETURN
  pops it and ends that loop. Chains of generators (`yield from` recursion) stay on the frame stack.
- native: `next(g)`, `list(g)`, `zip(g, ...)`, `sum(x for x in xs)` call `Generator.__next__`, which runs
  the loop over the frame (one nested run, as for a hook or Module.__call__ -> forward) until YIELD or
  GEN_RETURN leave it by the private exceptions `_Yielded` / `_Returned`.
Either way the frame counts against the call-depth limit while it runs, and its statements and loop
iterations against theirs. An exception leaving the frame ends the generator (runtime.handle_exception),
and a StopIteration leaving it becomes RuntimeError, as in Python (PEP 479). A generator dropped while
suspended is closed as Python closes it: GeneratorExit where it waits, so its finally and with blocks run.
"""
from __future__ import annotations

import weakref

from . import opcodes as C
from .guards import depth_error
from .interpreter import Frame, ScriptFunction
from .runtime import GeneratorSwitch, bind, handle_exception, handler, unwind_return

__all__ = ["Generator", "GeneratorFunction", "GenFrame"]


class _Yielded(BaseException):
    """A natively resumed generator yielded (never seen by the script: `Generator.__next__` catches it)."""

    def __init__(self, value):
        self.value = value


class _Returned(_Yielded):
    """A natively resumed generator returned (its value is StopIteration's)."""


class GenFrame(Frame):
    """The frame of a generator: knows its generator (weakly: no cycle, so an abandoned generator is
    collected, and closed, as soon as the loop that ran it lets go of it), so yields and unwinding reach it."""

    __slots__ = ("gen",)


class GeneratorFunction(ScriptFunction):
    """A script function whose body yields: a call makes a Generator and runs nothing yet."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        frame = GenFrame(self.code, bind(self, args, kwargs), self.env, self.globals, self)
        gen = Generator(frame, self.vm, self.__qualname__)
        frame.gen = weakref.ref(gen)
        return gen


class Generator:
    """A suspended script frame; iterating resumes it until its next `yield`."""

    __slots__ = ("frame", "vm", "qualname", "running", "native", "__weakref__")

    def __init__(self, frame: GenFrame, vm, qualname: str):
        self.frame, self.vm, self.qualname = frame, vm, qualname
        self.running = self.native = False

    def __repr__(self) -> str:
        return f"<generator object {self.qualname} at 0x{id(self):x}>"

    def __iter__(self):
        return self

    def enter(self, native: bool) -> None:
        """Push the frame to run it (StopIteration if the generator has finished)."""
        frame = self.frame
        if frame is None:
            raise StopIteration
        if self.running:
            raise ValueError("generator already executing")
        vm = self.vm
        if len(vm.frames) >= vm.limits.max_call_depth:
            raise depth_error(vm.limits)
        self.running, self.native = True, native
        vm.frames.append(frame)

    def finish(self) -> None:
        self.frame, self.running = None, False

    def __del__(self):
        # Python closes a suspended generator when it is dropped (a `break` out of `for b in batches()`):
        # GeneratorExit is raised where it waits, so its `finally` bodies run and its `with` blocks exit
        # (`with torch.no_grad(): ... yield` restores grad mode). Only during the run: afterwards the
        # program's state is no longer ours to change. Errors while closing are dropped, as Python drops them.
        frame = self.frame
        if frame is None or not frame.blocks or self.running or not self.vm.frames:
            return
        try:
            self._close(frame)
        except BaseException:  # noqa: B036,S110
            pass
        finally:
            self.finish()

    def _close(self, frame) -> None:
        vm = self.vm
        frames = vm.frames
        base = len(frames)
        frames.append(frame)
        self.running = self.native = True
        exc: BaseException = GeneratorExit()
        try:
            while handle_exception(vm, exc, base) is None:  # a finally body (or except clause) took it: run it
                try:
                    vm._loop(base)
                    return
                except _Yielded:  # it returned, or yielded again (Python: "generator ignored GeneratorExit")
                    return
                except BaseException as raised:  # noqa: B036  (re-raised at the finally's end: unwind on)
                    exc = raised
        finally:
            del frames[base:]

    def __next__(self):
        vm = self.vm
        frames = vm.frames
        base = len(frames)
        self.enter(True)
        while True:
            try:
                vm._loop(base)  # returns only through a RETURN down to base, which a generator never does
            except _Returned as r:
                raise StopIteration(*(() if r.value is None else (r.value,))) from None
            except _Yielded as y:
                return y.value
            except BaseException as exc:  # noqa: B036  (unwind the script's try blocks, as execute does)
                escaped = handle_exception(vm, exc, base)
                if escaped is not None:
                    del frames[base:]
                    if escaped is exc:
                        raise
                    raise escaped from exc


# what type(g).__name__, print(type(g)) and messages say, as in Python
Generator.__name__ = Generator.__qualname__ = "generator"
Generator.__module__ = "builtins"


class _Inline:
    """What a script `for` loop iterates for a Generator: resumes it on the interpreter's own frame stack."""

    __slots__ = ("gen",)

    def __init__(self, gen: Generator):
        self.gen = gen

    def __iter__(self):
        return self

    def __next__(self):
        self.gen.enter(False)
        raise GeneratorSwitch


@handler(C.GET_ITER)
def _get_iter(vm, frame, arg):
    it = iter(frame.stack.pop())
    frame.stack.append(_Inline(it) if type(it) is Generator else it)


def _caller_loop(vm):
    """The frame whose FOR_ITER resumed a generator inline, and that FOR_ITER's position."""
    caller = vm.frames[-1]
    return caller, caller.pc - 1


@handler(C.YIELD)
def _yield(vm, frame, arg):
    value = frame.stack.pop()
    vm.frames.pop()
    gen = frame.gen()
    gen.running = False
    if gen.native:
        raise _Yielded(value)
    caller, at = _caller_loop(vm)
    if caller.code.ops[at] == C.FOR_ITER_STORE:  # `for name in gen`: store straight into the name
        caller.locals[caller.code.args[at][1]] = value
    else:
        caller.stack.append(value)


@handler(C.GEN_RETURN)
def _gen_return(vm, frame, arg):
    if frame.blocks and unwind_return(vm, frame):
        return  # a finally body runs first; it comes back here
    value = frame.stack.pop()
    vm.frames.pop()
    gen = frame.gen()
    gen.finish()
    if gen.native:
        raise _Returned(value)
    caller, at = _caller_loop(vm)
    caller.stack.pop()  # the loop's iterator, as when FOR_ITER finds it exhausted
    target = caller.code.args[at]
    caller.pc = target[0] if caller.code.ops[at] == C.FOR_ITER_STORE else target
