"""The parse-table cache: kept in the user's private cache directory, refused elsewhere, same AST either way."""
import os
import subprocess
import sys
from pathlib import Path

from gradcli.lang import parser as P

ROOT = Path(__file__).resolve().parents[2]


def test_cache_file_is_in_a_private_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = P._cache_file("grammar text")
    assert path is not None and Path(path).parent == tmp_path / "gradcli"
    assert (tmp_path / "gradcli").stat().st_mode & 0o777 == 0o700
    assert P._cache_file("another grammar") != path  # one file per grammar


def test_a_directory_others_can_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "gradcli").mkdir()
    (tmp_path / "gradcli").chmod(0o777)
    assert P._cache_file("grammar text") is None


def test_unwritable_cache_falls_back_to_building(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert P._cache_file("grammar text") is None


def test_loaded_tables_parse_like_built_ones(tmp_path):
    code = ("from gradcli.lang import parse_file, unparse\n"
            "print(repr(parse_file('def f(a, *b, c=1):\\n    return [x**2 for x in b if x] + {\"k\": a}\\n')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]  # the first builds and saves the tables, the second loads them
    built = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           env={**env, "GRADCLI_NO_PARSER_CACHE": "1"})
    assert [r.returncode for r in runs] == [0, 0] and list((tmp_path / "gradcli").iterdir())
    assert runs[0].stdout == runs[1].stdout == built.stdout != ""
