"""gradcli/errors.py: the one error hierarchy, importable without loading anything else of gradcli."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import gradcli.errors as errors

ROOT = Path(__file__).resolve().parents[1]


def test_every_error_is_a_grad_error_and_option_errors_are_value_errors():
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.GradError)
    assert issubclass(errors.OptionError, errors.GradValueError)
    assert issubclass(errors.ConfigError, errors.GradValueError)


def test_the_old_homes_are_the_same_classes():
    from gradcli.lang import errors as lang_errors
    from gradcli.train.config import ConfigError
    from gradcli.train.loop import TrainError
    assert lang_errors.GradError is errors.GradError and lang_errors.GradLimitError is errors.GradLimitError
    assert ConfigError is errors.ConfigError and TrainError is errors.TrainError


def test_the_errors_module_imports_only_the_standard_library():
    # a layer raising an error must not load another layer (train/config once loaded the parser for one)
    tree = ast.parse(Path(errors.__file__).read_text())
    runtime = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in runtime if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in runtime if isinstance(n, ast.ImportFrom)]
    assert all(m.split(".")[0] in sys.stdlib_module_names or m == "__future__" for m in names), names


def test_train_config_does_not_load_the_expression_tools():
    code = "import sys, gradcli.train.config; print('gradcli.tools.expression' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def test_an_error_formats_with_its_caret():
    from types import SimpleNamespace
    span = SimpleNamespace(line=1, col=3, end_line=1, end_col=6)
    e = errors.GradNameError("name 'zed' is not defined", span, "y=zed+1", "<expr>")
    assert e.format().splitlines() == ["<expr>:1:3: error: name 'zed' is not defined", "y=zed+1", "  ^~~"]
