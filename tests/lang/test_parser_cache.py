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


def _cached_copy(tmp_path, monkeypatch):
    """A cache file for the real grammar written by _save, and its path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    grammar = P._grammar_text()
    path = P._cache_file(grammar)
    P._save(path, P._build(grammar))
    return path


def test_saved_parser_loads_and_parses(tmp_path, monkeypatch):
    path = _cached_copy(tmp_path, monkeypatch)
    assert os.stat(path).st_mode & 0o022 == 0
    loaded = P._load(path)
    assert loaded is not None
    parser, compiled = loaded
    assert len(compiled[1]) == len(parser.rules)
    assert not [p for p in (tmp_path / "gradcli").iterdir() if p.name.startswith(".tmp-")]  # no stray temp files


def test_truncated_or_garbage_cache_is_rebuilt_not_trusted(tmp_path, monkeypatch):
    path = _cached_copy(tmp_path, monkeypatch)
    whole = Path(path).read_bytes()
    for damaged in (whole[: len(whole) // 2], b"", b"\x80\x05garbage", os.urandom(4096)):
        Path(path).write_bytes(damaged)
        assert P._load(path) is None


def test_a_wellformed_pickle_of_the_wrong_thing_is_refused(tmp_path, monkeypatch):
    import pickle
    path = _cached_copy(tmp_path, monkeypatch)
    Path(path).write_bytes(pickle.dumps(({"not": "a parser"}, b"", [])))
    assert P._load(path) is None


class _Plant:
    """A pickle that creates a file when loaded: what an attacker would put in a writable cache."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_cache_file_others_can_write_is_never_unpickled(tmp_path, monkeypatch):
    import pickle
    path = _cached_copy(tmp_path, monkeypatch)
    marker = tmp_path / "was-unpickled"
    Path(path).write_bytes(pickle.dumps(_Plant(str(marker))))
    for mode in (0o664, 0o646):
        os.chmod(path, mode)
        assert P._load(path) is None
        assert not marker.exists()
    os.chmod(path, 0o600)  # the check is what stopped it: the same file, private, is loaded (and rejected)
    assert P._load(path) is None and marker.exists()


def test_missing_cache_file_means_build(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert P._load(str(tmp_path / "gradcli" / "absent.pickle")) is None


def test_a_corrupt_cache_is_replaced_by_a_good_one(tmp_path):
    code = "from gradcli.lang import parse_file\nprint(repr(parse_file('y = (x + w) * (w + 1)\\n')))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    (cache,) = [p for p in (tmp_path / "gradcli").iterdir() if p.name.startswith("gradlang-")]
    cache.write_bytes(b"\x80\x05not a parser")
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == second.returncode == 0 and first.stdout == second.stdout != ""
    assert P._load(str(cache)) is not None  # the build that followed wrote a sound file over it


def test_cache_name_depends_on_the_code_that_shapes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    before = P._cache_file("grammar text")
    monkeypatch.setattr(P.lark, "__version__", "0.0.0-other")
    assert P._cache_file("grammar text") != before


def test_saving_prunes_cache_files_unused_for_30_days(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = tmp_path / "gradcli"
    directory.mkdir(mode=0o700)
    old = P.STALE_SECONDS + 3600
    files = {"gradlang-0123456789abcdef01234567.pickle": old, "parser-21dd4f0700256681-lark1.3.1.pickle": old,
             ".tmp-abc.pickle": old, "gradlang-fedcba9876543210fedcba98.pickle": 60, "notes.txt": old,
             "other.pickle": old}
    for name, age in files.items():
        (directory / name).write_bytes(b"x")
        os.utime(directory / name, (os.path.getmtime(directory / name) - age,) * 2)
    path = _cached_copy(tmp_path, monkeypatch)
    left = sorted(p.name for p in directory.iterdir())
    assert left == sorted([Path(path).name, "gradlang-fedcba9876543210fedcba98.pickle", "notes.txt", "other.pickle"])
