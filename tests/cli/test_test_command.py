"""`gradcli test`: pass/fail with diffs, --update, crashes never blessed, exit 5, -k, --json, .cmd files."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def invoke(*args):
    return runner.invoke(app, list(args))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_passing_tests_exit_0_with_the_summary_last(tmp_path):
    write(tmp_path / "a.grad", "print(1 + 1)\n")
    write(tmp_path / "a.out", "2\n")
    r = invoke("test", str(tmp_path))
    assert (r.exit_code, r.stdout) == (0, "1 passed, 0 failed\n")


def test_a_failure_shows_a_diff_and_exits_1(tmp_path):
    write(tmp_path / "a.grad", "print(3)\n")
    write(tmp_path / "a.out", "2\n")
    r = invoke("test", str(tmp_path))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"FAILED {tmp_path.as_posix()}/a.grad"
    assert "--- a.out (expected)" in lines and "-2" in lines and "+3" in lines
    assert lines[-1] == "0 passed, 1 failed"


def test_update_then_pass(tmp_path):
    write(tmp_path / "a.grad", "print(3)\n")
    write(tmp_path / "b.grad", "print(4)\n")
    write(tmp_path / "b.out", "4\n")
    r = invoke("test", str(tmp_path), "--update")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "1 passed, 0 failed, 1 updated"
    assert (tmp_path / "a.out").read_text() == "3\n"
    assert invoke("test", str(tmp_path)).stdout == "2 passed, 0 failed\n"


def test_no_tests_found_exits_5(tmp_path):
    r = invoke("test", str(tmp_path))
    assert (r.exit_code, r.stdout) == (5, "0 passed, 0 failed\n")
    write(tmp_path / "a.grad", "print(1)\n")
    assert invoke("test", str(tmp_path), "-k", "zzz").exit_code == 5


def test_k_selects_by_substring_or_glob(tmp_path):
    for name in ("alpha", "beta", "alphabet"):
        write(tmp_path / f"{name}.grad", "print(1)\n")
        write(tmp_path / f"{name}.out", "1\n")
    assert invoke("test", str(tmp_path), "-k", "alpha").stdout == "2 passed, 0 failed\n"
    assert invoke("test", str(tmp_path), "-k", "*ta.grad").stdout == "1 passed, 0 failed\n"


@pytest.mark.parametrize("path, code, message", [
    ("missing", 2, "no such file or directory"),
    ("notes.txt", 2, "not a .grad or .cmd file"),
])
def test_bad_paths(tmp_path, path, code, message):
    write(tmp_path / "notes.txt", "x")
    r = invoke("test", str(tmp_path / path))
    assert r.exit_code == code and message in r.stderr and "Traceback" not in r.stderr


def test_binary_and_empty_scripts_are_tests_like_any_other(tmp_path):
    (tmp_path / "bin.grad").write_bytes(b"\xff\xfe\x00\x01")
    # 0xff is masked like an address: the mask does not know what a hex number means
    write(tmp_path / "bin.out", "bin.grad:1:1: error: source is not valid UTF-8 (byte 0x… at offset 0)\n")
    write(tmp_path / "empty.grad", "")
    write(tmp_path / "empty.out", "")
    assert invoke("test", str(tmp_path)).stdout == "2 passed, 0 failed\n"


def test_json_is_one_document_with_every_test(tmp_path):
    write(tmp_path / "a.grad", "print(3)\n")
    write(tmp_path / "a.out", "2\n")
    write(tmp_path / "b.grad", "print(1)\n")
    write(tmp_path / "b.out", "1\n")
    r = invoke("--json", "test", str(tmp_path))
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["command"] == "test"
    res = doc["result"]
    assert (res["passed"], res["failed"], res["summary"]) == (1, 1, "1 passed, 1 failed")
    assert [(t["name"].rsplit("/", 1)[1], t["status"]) for t in res["tests"]] == [("a.grad", "failed"),
                                                                                  ("b.grad", "passed")]
    assert "+3" in res["tests"][0]["stdout_diff"]


def test_cmd_files_run_the_cli_in_their_directory(tmp_path):
    write(tmp_path / "s.grad", "print(6 * 7)\n")
    write(tmp_path / "run.cmd", "run s.grad\n")
    write(tmp_path / "run.out", "42\n")
    write(tmp_path / "bad.cmd", "run missing.grad\n# exit: 1\n")
    write(tmp_path / "bad.out", "")
    write(tmp_path / "bad.err", "error: cannot read missing.grad: No such file or directory\n")
    r = invoke("test", str(tmp_path), "-k", ".cmd")
    assert (r.exit_code, r.stdout) == (0, "2 passed, 0 failed\n")


def test_update_writes_a_cmd_exit_line(tmp_path):
    write(tmp_path / "g.cmd", 'grad "y = (x"\n')
    r = invoke("test", str(tmp_path), "--update")
    assert r.exit_code == 0, r.stdout
    assert (tmp_path / "g.cmd").read_text() == 'grad "y = (x"\n# exit: 1\n'
    assert "error" in (tmp_path / "g.err").read_text()
    assert invoke("test", str(tmp_path)).exit_code == 0


def test_a_crash_in_a_command_is_never_blessed(tmp_path, monkeypatch):
    write(tmp_path / "g.cmd", 'grad "y = x*x" --at x=2\n')
    write(tmp_path / "g.out", "old\n")

    def boom(*a, **k):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr("gradcli.tools.expression.grad_report", boom)
    r = invoke("test", str(tmp_path), "--update")
    assert r.exit_code == 1 and "crashed" in r.stdout and "ZeroDivisionError: bug" in r.stdout
    assert (tmp_path / "g.out").read_text() == "old\n" and not (tmp_path / "g.err").exists()


def test_the_inner_command_does_not_change_the_outer_options(tmp_path):
    write(tmp_path / "g.cmd", 'grad "y = x*x" --at x=2\n')
    r = invoke("test", str(tmp_path), "--update")
    assert "∂y/∂x = 4." in (tmp_path / "g.out").read_text()
    r = invoke("--json", "test", str(tmp_path))
    assert json.loads(r.stdout)["result"]["passed"] == 1


def test_torch_goldens_are_not_updated_without_force(tmp_path):
    write(tmp_path / "GOLDENS_FROM_TORCH", "")
    write(tmp_path / "a.grad", "print(3)\n")
    write(tmp_path / "a.out", "2\n")
    r = invoke("test", str(tmp_path), "--update")
    assert r.exit_code == 1 and "--force" in r.stdout and (tmp_path / "a.out").read_text() == "2\n"
    assert invoke("test", str(tmp_path), "--update", "--force").exit_code == 0


def test_every_sample_passes():
    r = invoke("test", str(SAMPLES))
    assert r.exit_code == 0, r.stdout
    assert r.stdout.splitlines()[-1].endswith(" passed, 0 failed")


def test_help_has_examples():
    r = invoke("test", "--help")
    assert r.exit_code == 0 and "gradcli test samples/" in r.stdout


def test_the_help_examples_run(monkeypatch, tmp_path):
    import shlex

    from gradcli.cli.commands.test import EXAMPLES
    monkeypatch.chdir(SAMPLES.parent)
    for line in (ln.strip() for ln in EXAMPLES.splitlines() if ln.strip().startswith("gradcli ")):
        args = shlex.split(line)[1:]
        if "my_tests/" in args:  # the --update example, on a copy of its own
            write(tmp_path / "linear_a.grad", "print(1)\n")
            args[args.index("my_tests/")] = str(tmp_path)
        r = invoke(*args)
        assert r.exit_code == 0, (line, r.stdout)
