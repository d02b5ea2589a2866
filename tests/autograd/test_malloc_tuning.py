"""Big tensors: each backward reuses the memory the last one freed instead of page-faulting fresh heap in
(glibc's adaptive thresholds gave the heap back after every call; issue 13, W5). Checked by minor page
faults, which count the effect itself rather than its timing."""
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "confstr"),
                                reason="glibc only")

PROGRAM = textwrap.dedent("""
    import resource, sys
    import numpy as np
    import gradcli as gc
    from gradcli.autograd import malloc
    x = gc.tensor(np.random.default_rng(0).standard_normal(10**6).astype(np.float32), requires_grad=True)
    def step():
        x.grad = None
        (x.sin() * x.cos() * x).sum().backward()
    for _ in range(5):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20
    print(malloc._state[0] if malloc._state else None, faults)
""")


def _run(**env):
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        libc = None
    if not libc:
        pytest.skip("not glibc")
    e = dict(os.environ, **env)
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=e, check=True)
    tuned, faults = out.stdout.split()
    return tuned, float(faults)


def test_backward_over_big_tensors_reuses_freed_memory():
    tuned, faults = _run()
    assert tuned == "True"
    # a call touches ~8 arrays of 4 MB (~1000 pages each); reused heap faults in almost none of them
    assert faults < 300, faults


def test_opt_out_leaves_malloc_alone():
    tuned, faults = _run(GRADCLI_NO_MALLOC_TUNING="1")
    assert tuned == "False"
    # glibc's own behaviour, for contrast: shows the test above measures something real
    assert faults > 1000, faults
