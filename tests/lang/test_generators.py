"""Generators in .grad scripts against CPython: functions with `yield`, `yield from`, lazy generator
expressions; suspension order, exhaustion, exceptions, and the limits that still hold inside them."""
import io
import textwrap
import traceback

import pytest

from gradcli.lang import GradError, Limits, run_source

from .test_interpreter import mask, run_grad, run_python, torch_is_gradcli  # noqa: F401  (fixture)

PROGRAMS = {
    "data_iter_in_order": """
        import torch
        def data_iter(batch_size, features, labels):
            n = len(features)
            for i in range(0, n, batch_size):
                print("  batch from", i)
                idx = torch.tensor(list(range(i, min(i + batch_size, n))))
                yield features[idx], labels[idx]
        X = torch.arange(10.).reshape(5, 2)
        y = torch.arange(5.)
        g = data_iter(2, X, y)
        print(type(g).__name__)
        for xb, yb in g:
            print(xb, yb)
        print(next(g, "exhausted"), len(list(data_iter(3, X, y))))
    """,
    "infinite_with_break_next_zip": """
        def count(start=0):
            i = start
            while True:
                print("at", i)
                yield i
                i += 1
        for c in count():
            if c > 2:
                break
        it = count(10)
        print(next(it), next(it))
        print(list(zip(count(), "ab")), next(enumerate(count(5))))
    """,
    "bare_yield_return_value": """
        def g():
            yield
            return 5
        x = g()
        print(next(x))
        try:
            next(x)
        except StopIteration as e:
            print("stop", e.value)
        def early():
            for i in range(5):
                if i == 2:
                    return
                yield i
        print(list(early()), [v for v in early()])
    """,
    "yield_from_and_recursion": """
        def pairs():
            yield from [1, 2]
            yield from (c for c in "ab")
            yield from range(2)
        def tree(n):
            if n:
                yield from tree(n - 1)
                yield n
        print(list(pairs()), sum(tree(40)))
    """,
    "generator_expressions_are_lazy": """
        def loud(xs):
            for x in xs:
                print("give", x)
                yield x
        print(any(x > 1 for x in loud([1, 2, 3])), all(x < 2 for x in loud([1, 2, 3])))
        print(sum(x * x for x in range(5)), max(x for x in [3, 1, 2]), sorted(x for x in [3, 1, 2]))
        print(dict((k, k * 2) for k in range(2)), "".join(str(x) for x in range(4)))
        gen = (i for i in range(3))
        print(tuple(gen), tuple(gen))
        def scale(k):
            return (k * x for x in range(3))
        print(list(scale(2)), [a + b for a, b in zip((x for x in "ab"), (y for y in "cd"))])
    """,
    "exceptions_and_finally": """
        def bad():
            yield 1
            raise ValueError("boom")
        try:
            for v in bad():
                print(v)
        except ValueError as e:
            print("caught", e)
        def fin():
            try:
                yield 1
                yield 2
            finally:
                print("fin")
        for v in fin():
            print(v)
        print(list(fin()))
        def stopper():
            yield 1
            raise StopIteration
        for consume in (list, lambda g: [v for v in g]):
            try:
                consume(stopper())
            except RuntimeError as e:
                print("RuntimeError", e)
        def inner_catch():
            try:
                yield 1
            except ValueError:
                print("not reached")
            yield 2
        g = inner_catch()
        print(next(g), next(g), next(g, "done"))
        def selfish():
            yield next(me)
        me = selfish()
        try:
            next(me)
        except ValueError as e:
            print(e)
        print(next(me, "finished after an error"))
    """,
    "abandoned_generator_leaves_its_with_blocks": """
        import torch
        class Ctx:
            def __enter__(self):
                print("enter")
                return self
            def __exit__(self, kind, value, tb):
                print("exit", kind.__name__ if kind else None)
                return False
        def batches():
            with torch.no_grad():
                with Ctx():
                    for i in range(3):
                        yield i
        for b in batches():
            print(torch.is_grad_enabled())
            break
        print(torch.is_grad_enabled())
        g = batches()
        next(g)
        print(torch.is_grad_enabled())
        g = None
        print(torch.is_grad_enabled())
    """,
    "abandoned_generator_runs_its_finally": """
        import torch
        def gen():
            try:
                with torch.no_grad():
                    for i in range(5):
                        yield i
            finally:
                print("cleanup", torch.is_grad_enabled())
        for v in gen():
            print("got", v)
            if v == 1:
                break
        print("after", torch.is_grad_enabled())
        def g2():
            try:
                yield 1
            except Exception:
                print("not for GeneratorExit")
            finally:
                print("g2 finally")
        x = g2()
        next(x)
        x = None
        def g3():
            try:
                yield 1
            except GeneratorExit:
                print("caught exit")
                raise
        k = g3()
        next(k)
        del k
        print("end")
    """,
    "return_through_finally_and_forward": """
        import torch
        def g():
            try:
                yield 1
                return
            finally:
                print("fin ret")
        print(list(g()))
        def h():
            with torch.no_grad():
                yield 1
                yield 2
        try:
            for v in h():
                raise KeyError("k")
        except KeyError as e:
            print("caught", e, torch.is_grad_enabled())
        class M(torch.nn.Module):
            def forward(self, x):
                return sum(v for v in self.parts(x))
            def parts(self, x):
                for i in range(3):
                    yield x * i
        print(M()(torch.ones(2)))
        def nested():
            for a in (x * 2 for x in range(3)):
                yield from (a + y for y in range(2))
        print(list(nested()), [z for z in nested() if z > 2])
        gen = (i * i for i in range(4))
        for a in gen:
            if a == 1:
                break
        print(list(gen))
    """,
    "generator_methods_and_iter": """
        class Batches:
            def __init__(self, n):
                self.n = n
            def __iter__(self):
                for i in range(self.n):
                    yield i * 10
            def pairs(self):
                yield from zip(self, self)
        b = Batches(3)
        print(list(b), [x for x in b], list(b.pairs()), sum(b))
        class More(Batches):
            def pairs(self):
                yield from super().pairs()
                yield -1
        print(list(More(2).pairs()))
    """,
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_generators_behave_as_in_cpython(name, torch_is_gradcli):
    src = textwrap.dedent(PROGRAMS[name]).strip() + "\n"
    assert mask(run_grad(src)) == mask(run_python(src))


def test_generator_prints_like_cpython(torch_is_gradcli):
    src = "def data_iter():\n    yield 1\nprint(data_iter())\nprint((x for x in []))\n"
    out = mask(run_grad(src))
    assert out == mask(run_python(src))
    assert out == "<generator object data_iter at 0x…>\n<generator object <genexpr> at 0x…>\n"


def _fails(src, **limits):
    with pytest.raises(GradError) as info:
        run_source(textwrap.dedent(src), "prog.grad", limits=Limits(**limits))
    return info.value


def test_loop_limit_holds_inside_an_infinite_generator_consumed_natively():
    e = _fails("""
        def count():
            i = 0
            while True:
                yield i
                i += 1
        print(list(count()))
    """, max_loop_iterations=1000)
    assert "loops ran more than 1,000 iterations" in e.message and e.span.line == 4
    assert any("in count, called from prog.grad:7:" in n for n in e.notes)


def test_statement_limit_holds_inside_a_generator_consumed_by_for():
    e = _fails("""
        def gen():
            x = 0
            for i in range(10 ** 6):
                x += 1
                yield x
        for v in gen():
            pass
    """, max_steps=5000)
    assert "more than 5,000 statements" in e.message


def test_call_depth_limit_holds_for_recursive_generators():
    e = _fails("""
        def tree(n):
            if n:
                yield from tree(n - 1)
                yield n
        print(sum(tree(1000)))
    """, max_call_depth=50)
    assert "calls nest too deeply: more than 50" in e.message and e.span.line == 4


def test_error_inside_a_generator_points_at_the_yield_expression_and_the_loop():
    e = _fails("""
        def gen(xs):
            for x in xs:
                yield 1 / x
        def use():
            for v in gen([1, 0]):
                pass
        use()
    """)
    assert (e.kind, e.span.line, e.span.col) == ("ZeroDivisionError", 4, 15)
    assert e.notes[:2] == ["  in gen, called from prog.grad:6:5", "  in use, called from prog.grad:8:1"]


def test_deep_generator_chains_do_not_use_python_recursion():
    # generators iterating the next one with `for` or `yield from` resume on the interpreter's frame stack:
    # Python's own stack is as deep at the bottom of a 2,000-generator chain as of a 2-generator one
    def python_depth():
        return len(traceback.extract_stack())

    src = """
        def chain(n):
            if n == 0:
                yield depth()
            elif n % 2:
                for v in chain(n - 1):
                    yield v
            else:
                yield from chain(n - 1)
        print(list(chain(N)))
    """
    seen = []
    for n in (2, 2000):
        out = io.StringIO()
        run_source(textwrap.dedent(src), "prog.grad", stdout=out, limits=Limits(max_call_depth=5000),
                   variables={"depth": python_depth, "N": n})
        seen.append(out.getvalue())
    assert seen[0] == seen[1]
