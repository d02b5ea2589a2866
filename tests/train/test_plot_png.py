"""The run PNG's title and axis labels (the built-in rasteriser's 5x7 font, and matplotlib's), which renderer
draws it (matplotlib when installed, the rasteriser otherwise or when asked), and that neither loads early."""
import os
import subprocess
import sys
import zlib
import struct
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gradcli.cli.app import app
from gradcli.errors import OptionError
from gradcli.train import png as png_module
from gradcli.train.plot import axis_labels, plot_run, title
from gradcli.train.png import Canvas

from .test_plot import RUNS, decode

ROOT = Path(__file__).resolve().parents[2]
INK = (40, 40, 40)


def ink_mask(px, rows, cols):
    """Pixels of the axis ink colour in a band, cropped to their bounding box."""
    band = np.all(px[rows, cols] == INK, axis=-1)
    ys, xs = np.nonzero(band)
    assert len(ys), "no text in the band"
    return band[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def text_mask(s, scale=1, up=False):
    c = Canvas(Canvas.text_width(s, scale) + 4, Canvas.text_width(s, scale) + 4 if up else 7 * scale + 4)
    if up:
        c.text_up(2, c.h - 2, s, INK, scale)
    else:
        c.text(2, 2, s, INK, scale)
    return ink_mask(c.px, slice(None), slice(None))


@pytest.mark.parametrize("run,log,xlabel,ylabel,width", [
    ("logistic_regression", False, "iteration", "loss", 560),
    ("linear_regression", True, "epoch", "loss (log scale)", 640),
])
def test_builtin_png_has_the_run_name_as_title_and_axis_labels(tmp_path, run, log, xlabel, ylabel, width):
    r = plot_run(RUNS / run, png=str(tmp_path / "p.png"), log_scale=log, renderer="builtin")
    px = decode((tmp_path / "p.png").read_bytes())
    assert (title(r), *axis_labels(r)) == (run, xlabel, ylabel)
    assert np.array_equal(ink_mask(px, slice(0, 28), slice(0, width)), text_mask(run, scale=2))
    assert np.array_equal(ink_mask(px, slice(376, 400), slice(0, width)), text_mask(xlabel))
    assert np.array_equal(ink_mask(px, slice(48, 356), slice(0, 20)), text_mask(ylabel, up=True))


def test_text_up_is_the_text_turned_a_quarter_left():
    across, up = text_mask("loss (log)"), text_mask("loss (log)", up=True)
    assert np.array_equal(np.rot90(across), up)


def test_the_font_has_every_printable_character_a_label_needs():
    needed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_+=/()[]%<>'!?*#")
    font = png_module._FONT
    assert needed <= set(font)
    assert all(len(g) == 7 and all(0 <= row < 32 for row in g) for g in font.values())
    glyphs = [font[c] for c in sorted(needed)]
    assert len(set(glyphs)) == len(glyphs)  # no two characters drawn alike
    assert Canvas.text_width("a b") == 18 and not np.any(text_mask("a b")[:, 7:11])  # a space is blank


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    (n,) = struct.unpack(">I", data[8:12])
    assert struct.unpack(">I", data[16 + n:20 + n])[0] == zlib.crc32(data[12:16 + n])
    return struct.unpack(">II", data[16:24])


def test_matplotlib_draws_when_installed_and_its_bytes_repeat(tmp_path):
    pytest.importorskip("matplotlib")
    r = plot_run(RUNS / "logistic_regression", png=str(tmp_path / "a.png"))
    assert r.renderer == "matplotlib" and r.boundary
    plot_run(RUNS / "logistic_regression", png=str(tmp_path / "b.png"), renderer="matplotlib")
    a, b = (tmp_path / "a.png").read_bytes(), (tmp_path / "b.png").read_bytes()
    assert a == b and png_size(a) == (960, 400)
    r = plot_run(RUNS / "linear_regression", png=str(tmp_path / "c.png"), log_scale=True)
    assert not r.boundary and png_size((tmp_path / "c.png").read_bytes()) == (640, 400)


def test_matplotlib_figure_has_the_title_and_labels(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    figures = []
    real = Figure.savefig

    def keep(self, *args, **kwargs):
        figures.append(self)
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Figure, "savefig", keep)
    plot_run(RUNS / "logistic_regression", png=str(tmp_path / "a.png"), renderer="matplotlib")
    curves, boundary = figures[0].axes[:2]
    assert (curves.get_title(), curves.get_xlabel(), curves.get_ylabel()) == ("logistic_regression", "iteration",
                                                                             "loss")
    assert [t.get_text() for t in curves.get_legend().get_texts()] == ["loss"]
    assert (boundary.get_xlabel(), boundary.get_ylabel()) == ("x0", "x1")


def test_without_matplotlib_the_rasteriser_draws(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    r = plot_run(RUNS / "linear_regression", png=str(tmp_path / "a.png"))
    assert r.renderer == "builtin" and decode((tmp_path / "a.png").read_bytes()).shape == (400, 640, 3)
    with pytest.raises(OptionError, match='matplotlib is not installed .pip install "gradcli.plot."'):
        plot_run(RUNS / "linear_regression", png=str(tmp_path / "b.png"), renderer="matplotlib")
    assert not (tmp_path / "b.png").exists()
    with pytest.raises(OptionError, match="expected one of auto, matplotlib, builtin"):
        plot_run(RUNS / "linear_regression", png=str(tmp_path / "b.png"), renderer="pillow")


def test_the_command_takes_the_renderer_from_its_option_or_the_environment(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["--json", "plot", str(RUNS / "linear_regression"), "--png", str(tmp_path / "a.png"),
                            "--png-renderer", "builtin"])
    assert r.exit_code == 0 and '"renderer": "builtin"' in r.stdout
    decode((tmp_path / "a.png").read_bytes())
    r = runner.invoke(app, ["plot", str(RUNS / "linear_regression"), "--png", str(tmp_path / "b.png")],
                      env={"GRADCLI_PNG_RENDERER": "builtin"})
    assert r.exit_code == 0
    decode((tmp_path / "b.png").read_bytes())
    r = runner.invoke(app, ["plot", str(RUNS / "linear_regression"), "--png", str(tmp_path / "c.png"),
                            "--png-renderer", "svg"])
    assert r.exit_code == 2 and "expected one of auto, matplotlib, builtin" in r.stderr


def test_plot_loads_matplotlib_only_to_draw_with_it(tmp_path):
    def loaded(*args):
        argv = [sys.executable, "-X", "importtime", "-m", "gradcli", "plot", str(RUNS / "linear_regression"), *args]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert r.returncode == 0, r.stderr[-2000:]
        return {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "matplotlib" not in loaded()
    assert "matplotlib" not in loaded("--png", "a.png", "--png-renderer", "builtin")
