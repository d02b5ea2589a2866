"""The README's first screen shows the doctor: that block must be what `gradcli run` prints today (the
golden samples/doctor/run_inplace_after_save.err, which `gradcli test samples/` keeps true)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_doctor_block_is_the_golden_output():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("$ gradcli run inplace_after_save.grad\n") + len("$ gradcli run inplace_after_save.grad\n")
    shown = readme[start:readme.index("```", start)]
    assert shown == (ROOT / "samples/doctor/run_inplace_after_save.err").read_text()
    assert readme[:start].count("\n") < 45  # it starts on the first screen
