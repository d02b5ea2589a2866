"""pyproject.toml lists gradcli's packages by hand (the grammar lives outside the tree): a package missing
from the list is missing from the wheel, which only the wheel smoke test of .ci/run would notice."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_in_the_tree_is_in_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gradcli").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found - listed == set()
