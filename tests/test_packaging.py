"""The package imports cheaply, exposes the torch-shaped API and the console script."""
import subprocess
import sys


def test_version_command():
    out = subprocess.run([sys.executable, "-m", "gradcli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip().startswith("gradcli ")


def test_sample_runs():
    out = subprocess.run([sys.executable, "samples/api/computational_graph.py"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "dy/dw = tensor([5.])  dy/dx = tensor([2.])" in out.stdout


def test_engine_imports_only_numpy():
    code = ("import sys, gradcli, gradcli.autograd; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'typer', 'rich', 'lark')]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_command_that_draws_nothing_does_not_load_numpy_random():
    # numpy.random (with the secrets and hashlib it pulls in) is ~10 ms of every cold start: the default
    # generator makes its bit generator on the first draw, and still draws torch's stream from the seed
    # (`gradcli grad` saves and restores the generator's state around a run: that must not make it either)
    code = ("import sys, gradcli; s = gradcli.default_generator.get_state(); gradcli.manual_seed(0); "
            "gradcli.default_generator.set_state(s); loaded = 'numpy.random' in sys.modules; "
            "gradcli.manual_seed(0); print(loaded, gradcli.rand(3).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded, values = out.stdout.split(" ", 1)
    assert loaded == "False", out.stdout + out.stderr
    assert values.strip() == "[0.49625658988952637, 0.7682217955589294, 0.08847743272781372]"


def test_a_checkout_parses_with_its_own_grammar():
    # An editable install maps gradcli.grammar to the checkout it was made from, which may be another
    # worktree: code run from a checkout must read the grammar beside it.
    from pathlib import Path

    from gradcli.lang import parser
    root = Path(parser.__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file():
        assert parser._grammar_text() == (root / "grammar" / "gradlang.lark").read_text(encoding="utf-8")


def test_release_is_the_package_version():
    """`gradcli --version` names gradcli's release (pyproject's), not the torch version gradcli follows."""
    import tomllib
    from pathlib import Path
    import gradcli
    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert gradcli.RELEASE == meta["project"]["version"]
    assert gradcli.__version__.startswith("2.13.0")
