"""gradcli provides the torch API names that beginners' material calls: the share of call sites covered
(api_usage.tsv, counted by count_api.py) never falls below the last measured figure."""
from . import api_coverage

# The measured shares of call sites when they were last raised (gradcli's Python API; what a .grad script
# can reach through the sandbox); raise them when coverage rises.
FLOOR = 0.994
GRAD_FLOOR = 0.99


def test_call_site_coverage_does_not_fall():
    share, marked = api_coverage.coverage()
    uncovered = [(s, n) for n, _, s, _, c in marked if not c][:15]
    print(f"\ngradcli covers {share:.1%} of call sites; top uncovered: {uncovered}")
    assert share >= FLOOR, f"coverage {share:.3%} fell below {FLOOR:.1%}; top uncovered: {uncovered}"


def test_grad_script_reach_does_not_fall():
    share, missing = api_coverage.grad_coverage()
    print(f"\n.grad scripts reach {share:.1%} of call sites; not reachable: {missing[:15]}")
    assert share >= GRAD_FLOOR, f".grad reach {share:.3%} fell below {GRAD_FLOOR:.1%}; not reachable: {missing[:15]}"


def test_grad_probe_tells_reachable_from_not():
    assert api_coverage.grad_covered("torch.no_grad") and api_coverage.grad_covered("Tensor.backward")
    assert api_coverage.grad_covered("FunctionCtx.save_for_backward")
    assert not api_coverage.grad_covered("torch.save")  # no file access from a script
    assert not api_coverage.grad_covered("Tensor._version_of_nothing")


def test_usage_file_is_ranked_facts():
    rows = api_coverage.read_usage()
    assert len(rows) > 100
    sites = [s for _, _, s, _ in rows]
    assert sites == sorted(sites, reverse=True)
    assert all(1 <= f <= s for _, _, s, f in rows)
    # the names any autograd tutorial calls are at the top and covered
    top = {n for n, *_ in rows[:10]}
    assert {"Tensor.backward", "Tensor.grad"} <= top
    assert all(api_coverage.covered(n) for n in ("Tensor.backward", "torch.no_grad", "torch.autograd.grad",
                                                  "FunctionCtx.save_for_backward", "Node.next_functions"))
