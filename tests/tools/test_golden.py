"""gradcli.tools.golden: discovery, comparison, exit codes and directives, masking, --update rules, isolation."""
import os
from pathlib import Path

import pytest

from gradcli.tools import golden
from gradcli.tools.golden import Actual, GoldenUsageError, exit_code, find_tests, run_test, run_tests, summary


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def grad(tmp_path, name, source, out=None, err=None):
    p = write(tmp_path / f"{name}.grad", source)
    if out is not None:
        write(p.with_suffix(".out"), out)
    if err is not None:
        write(p.with_suffix(".err"), err)
    return p


def test_pass_and_fail_with_a_unified_diff(tmp_path):
    ok = grad(tmp_path, "ok", "print(1 + 1)\n", "2\n")
    bad = grad(tmp_path, "bad", "print(3)\n", "2\n")
    assert run_test("ok", ok).status == "passed"
    r = run_test("bad", bad)
    assert r.status == "failed" and r.message == ""
    assert r.stdout_diff.splitlines()[:2] == ["--- bad.out (expected)", "+++ bad.out (actual)"]
    assert "-2\n+3\n" in r.stdout_diff


def test_missing_out_fails_and_shows_what_would_be_written(tmp_path):
    r = run_test("new", grad(tmp_path, "new", "print('hi')\n"))
    assert r.status == "failed" and "no new.out" in r.message and "+hi" in r.stdout_diff


def test_error_line_and_default_exit_code(tmp_path):
    src = "import torch\nw = torch.ones(1, requires_grad=True)\nw.add_(1)\n"
    line = "leaf.grad:3:1: RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.\n"
    r = run_test("leaf", grad(tmp_path, "leaf", src, line))
    assert (r.status, r.exit_code, r.expected_exit_code) == ("passed", 1, 1)


def test_exit_directive_overrides_the_default(tmp_path):
    r = run_test("x", grad(tmp_path, "x", "# exit: 1\nprint(1)\n", "1\n"))
    assert r.status == "failed" and r.message == "exit code 0, expected 1"


def test_skip_directive(tmp_path):
    grad(tmp_path, "s", "# skip: needs conv3d\nprint(1)\n")
    results = run_tests([str(tmp_path)])
    assert [(r.status, r.message) for r in results] == [("skipped", "needs conv3d")]
    assert summary(results) == "0 passed, 0 failed, 1 skipped" and exit_code(results) == 0


def test_warnings_go_to_err_without_source_lines(tmp_path):
    src = "import torch\na = torch.ones(1, requires_grad=True)\nb = a * 2\nprint(b.grad)\n"
    r = run_test("w", grad(tmp_path, "w", src, "None\n"))
    assert r.status == "failed" and r.stderr_diff
    err = golden.run_grad(tmp_path / "w.grad").stderr
    assert err.startswith("w.grad:4: UserWarning: The .grad attribute of a Tensor that is not a leaf")
    assert len(err.splitlines()) == 1 and "Triggered internally" not in err


def test_addresses_are_masked(tmp_path):
    src = "import torch\nprint(torch.tensor(1., requires_grad=True).mul(2).grad_fn)\n"
    assert golden.run_grad(grad(tmp_path, "a", src)).stdout == "<MulBackward0 object at 0x…>\n"
    assert golden.mask("at 0xdeadbeef and 0x1f") == "at 0x… and 0x…"


def test_each_test_starts_from_a_fresh_process_state(tmp_path):
    grad(tmp_path, "a1", "import torch\ntorch.set_printoptions(precision=1)\nprint(torch.randn(()))\n")
    grad(tmp_path, "a2", "import torch\nprint(torch.tensor(1/3))\nprint(torch.randn(()))\n")
    first = golden.run_grad(tmp_path / "a2.grad").stdout
    golden.run_grad(tmp_path / "a1.grad")
    assert golden.run_grad(tmp_path / "a2.grad").stdout == first
    assert first.startswith("tensor(0.3333)\n")


def test_update_writes_only_what_changed_and_removes_an_empty_err(tmp_path):
    p = grad(tmp_path, "u", "print(2)\n", "1\n", "old warning\n")
    r = run_test("u", p, update=True)
    assert (r.status, r.updated) == ("updated", ["u.err", "u.out"])
    assert p.with_suffix(".out").read_text() == "2\n" and not p.with_suffix(".err").exists()
    before = p.with_suffix(".out").stat().st_mtime_ns
    assert run_test("u", p, update=True).status == "passed"
    assert p.with_suffix(".out").stat().st_mtime_ns == before


def test_update_leaves_the_unchanged_file_alone(tmp_path):
    src = "import torch\na = torch.ones(1, requires_grad=True)\nprint((a * 2).grad)\n"
    p = grad(tmp_path, "w", src, "old\n")
    write(p.with_suffix(".err"), golden.run_grad(p).stderr)
    os.utime(p.with_suffix(".err"), ns=(1, 1))
    r = run_test("w", p, update=True)
    assert r.updated == ["w.out"] and p.with_suffix(".err").stat().st_mtime_ns == 1


def test_a_crash_is_never_blessed(tmp_path, monkeypatch):
    p = grad(tmp_path, "c", "print(1)\n", "old\n")

    def boom(*a, **k):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr("gradcli.lang.run_file", boom)
    r = run_test("c", p, update=True)
    assert r.status == "failed" and r.crash == "ZeroDivisionError: bug" and "never blessed" in r.message
    assert p.with_suffix(".out").read_text() == "old\n"


def test_torch_made_goldens_are_protected_unless_forced(tmp_path):
    write(tmp_path / golden.PROTECT_MARKER, "")
    p = grad(tmp_path, "sub/t", "print(2)\n", "1\n")
    r = run_test("t", p, update=True)
    assert r.status == "failed" and "come from torch" in r.message and p.with_suffix(".out").read_text() == "1\n"
    assert run_test("t", p, update=True, force=True).status == "updated"
    assert p.with_suffix(".out").read_text() == "2\n"


def test_update_does_not_edit_a_grad_exit_directive(tmp_path):
    p = grad(tmp_path, "e", "# exit: 3\nprint(1)\n", "1\n")
    r = run_test("e", p, update=True)
    assert r.status == "failed" and "does not edit scripts" in r.message


def fake_cli(outputs):
    def invoke(args, cwd):
        return outputs(args, cwd)
    return invoke


def test_cmd_files_run_through_the_given_invoker(tmp_path):
    p = write(tmp_path / "c.cmd", 'grad "y = x*x" --at x=3\n# exit: 1\n')
    write(tmp_path / "c.out", "hello\n")
    seen = []
    cli = fake_cli(lambda args, cwd: seen.append((args, cwd)) or Actual("hello\n", "", 1))
    assert run_test("c", p, cli=cli).status == "passed"
    assert seen == [(["grad", "y = x*x", "--at", "x=3"], tmp_path)]
    r = run_test("c", p, cli=fake_cli(lambda a, c: Actual("hello\n", "", 0)), update=True)
    assert r.status == "updated" and p.read_text() == 'grad "y = x*x" --at x=3\n'


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("# exit: 1\n", "empty"), ("a\nb\n", "one line of arguments"),
    ("grad 'unclosed\n", "No closing quotation"), ("grad x\n# exit: one\n", "expected a number"),
])
def test_malformed_cmd_files_fail_clearly(tmp_path, text, message):
    p = write(tmp_path / "m.cmd", text)
    write(tmp_path / "m.out", "")
    r = run_test("m", p, cli=fake_cli(lambda a, c: Actual("", "", 0)))
    assert r.status == "failed" and message in r.message


def test_binary_cmd_file(tmp_path):
    p = tmp_path / "b.cmd"
    p.write_bytes(b"\xff\xfe\x00")
    r = run_test("b", p, cli=fake_cli(lambda a, c: Actual("", "", 0)))
    assert r.status == "failed" and "not UTF-8" in r.message


def test_discovery_filter_and_errors(tmp_path):
    for name in ("a/one.grad", "a/two.cmd", "b/three.grad", ".hidden/x.grad", "a/notes.txt"):
        write(tmp_path / name, "")
    names = [n for n, _ in find_tests([str(tmp_path)])]
    assert [Path(n).name for n in names] == ["one.grad", "two.cmd", "three.grad"]
    assert [Path(n).name for n, _ in find_tests([str(tmp_path)], "two")] == ["two.cmd"]
    assert [Path(n).name for n, _ in find_tests([str(tmp_path)], "t*")] == ["two.cmd", "three.grad"]
    assert find_tests([str(tmp_path / "a"), str(tmp_path / "a" / "one.grad")])[0][0].endswith("one.grad")
    assert len(find_tests([str(tmp_path / "a"), str(tmp_path / "a" / "one.grad")])) == 2
    for bad in ("missing", "a/notes.txt"):
        with pytest.raises(GoldenUsageError):
            find_tests([str(tmp_path / bad)])


def test_exit_codes_and_summary():
    assert exit_code([]) == 5 and summary([]) == "0 passed, 0 failed"
