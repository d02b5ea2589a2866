"""An attacker's probes against the sandbox, run through `gradcli run` (and `repl`) as a CI would run a shared file.

Every probe must end cleanly: exit 0, 1 or 2; no Python traceback, internal error or object address in
what it prints; no file written in its working directory; done within its time limit plus one second and
within its memory limit. Most probes also name what stops them (`expect`, a pattern of the error).
The probes run in forked children of one driver process (probe_driver.py), never in pytest's own process.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS, MEMORY = 2, 512  # the limits every probe runs under (flags), small so that bombs end quickly
BASE = ["run", "{file}", "--max-seconds", str(SECONDS), "--max-memory", str(MEMORY)]
# loop and statement budgets out of the way, so that only the clock can stop these
UNCOUNTED = ["--max-loop-iterations", "1000000000000", "--max-steps", "1000000000000"]
TIME = r"ran longer than 2 s|time limit"
SIZE = r"over the limit|too large|would make a string|memory limit"
GROW = SIZE + "|" + TIME  # a bomb that grows in steps may meet the clock first on a busy machine
DEEP = r"nest more than|nest too deeply|stack"
PRIVATE = r"not accessible in \.grad scripts"
MAKE = r"cannot create '\w+' objects|cannot derive from|which \.grad scripts cannot define"

T = "import torch\n"
Y = T + "x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"

# id: (source, expect (a pattern the output must match, or None: only the general properties), extra flags)
PROBES = {
    # ---- a class factory: type, metaclasses, __class__ chains
    "type_of_type_builds_a_class": ("T = type(type(1))\nC = T('C', (), {'__del__': lambda s: 1 / 0})\nC()\n", MAKE, []),
    "class_attr_chain_to_type": ("(1).__class__.__class__('C', (), {})\n", MAKE, []),
    "metaclass_of_nn_module": (T + "M = type(torch.nn.Module)\nM('C', (torch.nn.Module,), {'__module__': 'torch.nn'})\n",
                               MAKE, []),
    "metaclass_of_autograd_function": (T + "type(torch.autograd.Function)('F', (), {})\n", MAKE, []),
    "type_of_builtin_called": ("type(print)('x')\n", MAKE, []),
    "class_name_as_base": ("class A(type(print)):\n    pass\n", MAKE, []),
    "class_deriving_from_type_name": ("class A(type(type(1))):\n    pass\n", MAKE, []),
    "class_body_del": ("class A:\n    def __del__(self):\n        1 / 0\n", MAKE, []),
    "class_body_index": ("class A:\n    def __index__(self):\n        return 10 ** 9\n", MAKE, []),
    "class_body_getattribute": ("class A:\n    def __getattribute__(self, n):\n        return 1\n", MAKE, []),
    "class_body_init_subclass": ("class A:\n    def __init_subclass__(cls):\n        pass\n", MAKE, []),
    "module_string_does_not_grant_trust": (
        "class A:\n    __module__ = 'gradcli.lang.interpreter'\na = A()\nprint(type(a).__name__)\n"
        "a.__dict__\n", PRIVATE, []),
    "type_three_arguments": ("type('A', (), {})\n", r"takes 1 argument", []),
    "super_to_object_internals": ("class A:\n    def f(self):\n        return super().__init_subclass__\nA().f()\n",
                                  PRIVATE, []),
    # ---- Python's machinery: frames, code, globals, modules, mro, subclasses
    "subclasses_of_object": ("object.__subclasses__()\n", PRIVATE, []),
    "mro_via_class": ("(1).__class__.__mro__\n", PRIVATE, []),
    "mro_method_of_class": ("int.mro()\n", PRIVATE, []),
    "bases_via_format": ("print('{0.__class__.__bases__}'.format(1))\n", PRIVATE, []),
    "globals_of_script_function": ("def f():\n    pass\nf.__globals__\n", PRIVATE, []),
    "code_of_lambda": ("(lambda: 0).__code__\n", PRIVATE, []),
    "traceback_frames": ("try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame\n", PRIVATE, []),
    "exception_context_chain": ("try:\n    1 / 0\nexcept Exception as e:\n    e.__context__\n", PRIVATE, []),
    "builtin_self_module": ("print.__self__\n", PRIVATE, []),
    "torch_function_globals": (T + "torch.tensor.__globals__\n", PRIVATE, []),
    "getattr_dunder_dict": ("getattr(print, '__dict__')\n", PRIVATE, []),
    "format_reaches_init": (Y + "print('{0.grad_fn.__init__}'.format(y))\n", PRIVATE, []),
    "format_reaches_globals": (Y + "print('{0.grad_fn.name.__globals__}'.format(y))\n", PRIVATE, []),
    "format_map_refused": ("'{x}'.format_map({'x': 1})\n", PRIVATE, []),
    "node_private_fields": (Y + "y.grad_fn._saved\n", PRIVATE, []),
    "tensor_private_data": (T + "torch.ones(1)._data\n", PRIVATE, []),
    "numpy_base_array": (T + "torch.ones(2).numpy().base\n", PRIVATE, []),
    "numpy_ctypes": (T + "torch.ones(2).numpy().ctypes\n", PRIVATE, []),
    "import_os": ("import os\n", r"not available", []),
    "import_numpy": ("import numpy\n", r"not available", []),
    "from_torch_import_private": ("from torch import _C\n", PRIVATE, []),
    "dunder_import": ("__import__('os')\n", r"not available", []),
    "eval_exec_open": ("eval('1')\n", r"not available", []),
    "vars_of_object": ("vars(1)\n", r"not available", []),
    "iter_of_list_internals": ("iter([1]).__reduce__()\n", PRIVATE, []),
    "class_name_internals": ("type(print)._cls\n", PRIVATE, []),
    "class_name_set_attr": ("c = type(print)\nc.x = 1\n", r"cannot set attribute", []),
    # ---- files and the outside world
    "open_a_file": ("open('x.txt', 'w')\n", r"not available", []),
    "numpy_tofile": (T + "torch.ones(2).numpy().tofile('x.bin')\n", PRIVATE, []),
    "torch_save": (T + "torch.save(torch.ones(1), 'x.pt')\n", r"has no attribute|not available", []),
    "torch_load": (T + "torch.load('x.pt')\n", r"has no attribute|not available", []),
    "print_to_file": ("print('x', file=1)\n", r"not available", []),
    "torch_writable_namespace": (T + "torch.tensor = print\n", r"read-only|cannot set", []),
    # ---- time: loops in the script and loops inside builtins
    "while_true": ("while True:\n    pass\n", TIME, UNCOUNTED),
    "sum_of_endless_iter": ("print(sum(iter(int, 1)))\n", TIME, UNCOUNTED),
    "any_of_endless_iter": ("print(any(iter(int, 1)))\n", TIME, UNCOUNTED),
    "list_of_endless_iter": ("print(list(iter(float, 1)))\n", TIME + "|" + SIZE, UNCOUNTED),
    "join_of_endless_iter": ("print(''.join(iter(str, 'x')))\n", TIME + "|" + SIZE, UNCOUNTED),
    "set_of_endless_iter": ("print(set(iter(int, 1)))\n", TIME, UNCOUNTED),
    "sum_of_endless_iter_counted": ("print(sum(iter(int, 1)))\n", r"loops ran more than", []),
    "sorted_of_endless_iter": ("sorted(iter(int, 1))\n", TIME + "|" + SIZE, UNCOUNTED),
    "getitem_protocol_endless": ("class A:\n    def __getitem__(self, i):\n        return i\nlist(A())\n",
                                 TIME + "|" + SIZE, UNCOUNTED),
    "recursion": ("def f(n):\n    return f(n + 1)\nf(0)\n", r"nest too deeply", []),
    "recursion_through_repr": ("class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())\n",
                               DEEP, []),
    "matmul_forever": (T + "a = torch.ones(300, 300)\nwhile True:\n    a = a @ a / 300\n", TIME, UNCOUNTED),
    "comprehension_square": ("x = [[i * j for i in range(100000)] for j in range(100000)]\n",
                             TIME + "|loops ran more than|" + SIZE, []),
    # ---- memory: growth by any operator or builtin
    "int_squaring": ("x = 3\nfor i in range(40):\n    x = x * x\n", r"integer of [\d,]+ bits", []),
    "int_inplace_squaring": ("x = 3\nfor i in range(40):\n    x *= x\n", r"integer of [\d,]+ bits", []),
    "int_power_tower": ("x = 2 ** 10 ** 10\n", r"more than [\d,]+ bits", []),
    "builtin_pow_tower": ("x = pow(10, 10 ** 9)\n", r"more than [\d,]+ bits", []),
    "string_doubling": ("s = 'ab'\nfor i in range(40):\n    s = s + s\n", SIZE, []),
    "string_inplace_doubling": ("s = 'ab'\nfor i in range(40):\n    s += s\n", SIZE, []),
    "list_doubling": ("l = [1]\nfor i in range(40):\n    l = l + l\n", GROW, []),
    "list_extend_doubling": ("l = [1]\nfor i in range(40):\n    l.extend(l)\n", GROW, []),
    "tuple_doubling": ("t = (1,)\nfor i in range(40):\n    t = t + t\n", SIZE, []),
    "star_width_format": ("s = '%*d' % (2 ** 31 - 1, 1)\n", SIZE, []),
    "star_precision_format": ("s = '%.*f' % (10 ** 8, 1.0)\n", SIZE, []),
    "format_spec_width": ("s = '{:999999999}'.format(1)\n", SIZE, []),
    "fstring_nested_width": ("w = 10 ** 9\ns = f'{1:{w}}'\n", SIZE, []),
    "builtin_format_width": ("s = format(1, '999999999')\n", SIZE, []),
    "str_ljust": ("s = 'x'.ljust(10 ** 10)\n", SIZE, []),
    "str_center": ("s = 'x'.center(10 ** 9)\n", SIZE, []),
    "str_expandtabs": ("s = ('\\t' * 1000).expandtabs(10 ** 6)\n", SIZE, []),
    "str_replace_empty": ("s = 'ab' * 5000\ns = s.replace('', s)\n", SIZE, []),
    "bytes_doubling": ("b = 'x'.encode()\nfor i in range(40):\n    b = b + b\n", SIZE, []),
    "bytes_repeat": ("b = 'x'.encode() * 10 ** 10\n", SIZE, []),
    "str_join_separator": ("s = ('x' * 10 ** 7).join(['a'] * 1000)\n", SIZE, []),
    "list_repeat": ("l = [0] * 10 ** 10\n", SIZE, []),
    "range_huge_list": ("l = list(range(10 ** 12))\n", r"over the loop limit", []),
    "tensor_huge": (T + "torch.zeros(10 ** 6, 10 ** 6)\n", SIZE, []),
    "tensor_broadcast": (T + "a = torch.ones(100000, 1) + torch.ones(1, 100000)\n", SIZE, []),
    "tensor_expand_contiguous": (T + "a = torch.ones(1).expand(10 ** 5, 10 ** 5).contiguous()\n", SIZE, []),
    "tensor_outer_product": (T + "a = torch.ones(10 ** 5, 1) @ torch.ones(1, 10 ** 5)\n", SIZE, []),
    "many_lists_memory": ("x = []\nwhile True:\n    x.append([0] * 100000)\n", GROW, []),
    "tensor_over_memory": (T + "a = torch.ones(200_000_000)\n", r"memory limit", ["--max-tensor-elements",
                                                                                "1000000000"]),
    "output_over_file_limit": ("s = 'x' * 1000000\nfor i in range(200):\n    print(s)\n",
                               r"File too large|file size limit", ["--max-memory", "64"]),
    "print_precision": (T + "torch.set_printoptions(precision=10 ** 8)\nprint(torch.tensor([1.5]))\n",
                        r"over the limit", []),
    "print_edgeitems": (T + "torch.set_printoptions(edgeitems=10 ** 9, threshold=1)\n", r"over the limit", []),
    # ---- crashes of the interpreter itself: data nested too deeply
    "deep_tuple_hash": ("t = ()\nfor i in range(1000000):\n    t = (t,)\nprint(hash(t))\n", DEEP, []),
    "deep_tuple_via_varargs": ("def f(*a):\n    return a\nt = ()\nfor i in range(1000000):\n    t = f(t)\n"
                               "print(hash(t))\n", DEEP, []),
    "deep_tuple_via_items": ("t = 0\nfor i in range(1000000):\n    t = list({0: t}.items())[0]\nhash(t)\n", DEEP, []),
    "deep_tuple_via_zip": ("t = 0\nfor i in range(1000000):\n    for t in zip([t]):\n        pass\nhash(t)\n",
                           DEEP, []),
    "deep_tuple_via_exception_args": ("t = 0\nfor i in range(1000000):\n    t = Exception(t).args\nhash(t)\n",
                                      DEEP, []),
    "deep_tuple_as_dict_key": ("t = ()\nfor i in range(1000000):\n    t = (t, 1)\nd = {t: 1}\n", DEEP, []),
    "deep_list_repr": ("a = []\nfor i in range(50000):\n    a = [a]\nprint(a)\n", DEEP, []),
    "deep_list_equality": ("a = []\nb = []\nfor i in range(50000):\n    a = [a]\n    b = [b]\nprint(a == b)\n",
                           DEEP, []),
    "deep_dict_repr": ("d = {}\nfor i in range(50000):\n    d = {1: d}\nstr(d)\n", DEEP, []),
    "deep_list_to_tensor": (T + "a = [1.0]\nfor i in range(100000):\n    a = [a]\ntorch.tensor(a)\n",
                            r"error", []),
    # ---- what a mistake prints: torch's words, no Python internals
    "linear_on_none": (T + "torch.nn.Linear(2, 2)(None)\n", r"argument 'input' \(position 1\) must be Tensor", []),
    "raise_non_exception": ("raise 1\n", r"must derive from BaseException", []),
    "division_by_zero": ("1 / 0\n", r"ZeroDivisionError", []),
    # ---- the REPL takes the same limits
    "repl_time_bomb": ("", TIME, ["repl", "--max-seconds", str(SECONDS), "--max-loop-iterations",
                                  "1000000000000", "--max-steps", "1000000000000"]),
    "repl_deep_tuple": ("", DEEP, ["repl", "--max-seconds", str(SECONDS)]),
    "repl_type_escape": ("", MAKE, ["repl"]),
}
STDIN = {
    "repl_time_bomb": "while True:\n    pass\n\n",
    "repl_deep_tuple": "t = ()\nfor i in range(10 ** 6):\n    t = (t,)\n\nhash(t)\n",
    "repl_type_escape": "type(type(1))('A', (), {})\n",
}

FORBIDDEN = re.compile(r"Traceback|internal error|0x[0-9a-f]{6,}|<bound method|<built-in method|<function |"
                       r"<module '(?!torch)|File \"/|gradcli/lang/|Segmentation fault|core dumped")


def _command(pid: str, extra: list) -> list:
    if extra and extra[0] == "repl":
        return extra
    return BASE + extra


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probes")
    probes = [{"id": pid, "source": src, "args": _command(pid, extra), "stdin": STDIN.get(pid, "")}
              for pid, (src, _, extra) in PROBES.items()]
    (tmp / "probes.json").write_text(json.dumps(probes))
    subprocess.run([sys.executable, str(Path(__file__).with_name("probe_driver.py")), str(tmp / "probes.json"),
                    str(tmp / "results.json")], cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                   check=True, timeout=600)
    return json.loads((tmp / "results.json").read_text())


def test_there_are_at_least_sixty_probes():
    assert len(PROBES) >= 60


@pytest.mark.parametrize("pid", PROBES)
def test_probe_ends_cleanly(results, pid):
    source, expect, extra = PROBES[pid]
    r = results[pid]
    output = r["stdout"] + r["stderr"]
    assert r["code"] in (0, 1, 2), (r["code"], output[-2000:])
    bad = FORBIDDEN.search(output)
    assert bad is None, f"{bad.group(0)!r} in: {output[-2000:]}"
    assert r["files"] == ["probe.grad"], r["files"]
    assert r["wall"] <= SECONDS + 1, r["wall"]
    assert r["maxrss_kb"] <= r["baseline_kb"] + (MEMORY + 64) * 1024, (r["maxrss_kb"], r["baseline_kb"])
    if expect is not None:
        assert r["code"] == 1 and re.search(expect, output), output[-2000:]
