"""plot: the series of metrics.jsonl, a valid and reproducible PNG written atomically, the text chart."""
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from gradcli.cli.renderers.plot import chart
from gradcli.errors import OptionError
from gradcli.train.config import ConfigError
from gradcli.train.plot import plot_run
from gradcli.train.png import Canvas

RUNS = Path(__file__).resolve().parents[2] / "samples" / "cli" / "runs"


def decode(data: bytes) -> np.ndarray:
    """A minimal PNG reader for what Canvas writes (8-bit RGB, filter 0): checks every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
            assert body[8:] == bytes([8, 2, 0, 0, 0])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h = size
    raw = zlib.decompress(idat)
    assert len(raw) == h * (1 + 3 * w) and all(raw[y * (1 + 3 * w)] == 0 for y in range(h))
    return np.frombuffer(raw, np.uint8).reshape(h, 1 + 3 * w)[:, 1:].reshape(h, w, 3)


def test_canvas_pixels_round_trip(tmp_path):
    c = Canvas(7, 5)
    c.line(0, 0, 6, 4, (255, 0, 0))
    c.save(tmp_path / "a.png")
    px = decode((tmp_path / "a.png").read_bytes())
    assert px.shape == (5, 7, 3) and tuple(px[0, 0]) == (255, 0, 0) and tuple(px[4, 6]) == (255, 0, 0)
    assert tuple(px[4, 0]) == (255, 255, 255)


def test_png_of_a_two_d_classifier_has_the_boundary_and_is_reproducible(tmp_path):
    r = plot_run(RUNS / "logistic_regression", png=str(tmp_path / "a.png"), renderer="builtin")
    assert r.boundary and r.png and r.renderer == "builtin"
    plot_run(RUNS / "logistic_regression", png=str(tmp_path / "b.png"), renderer="builtin")
    a, b = (tmp_path / "a.png").read_bytes(), (tmp_path / "b.png").read_bytes()
    assert a == b and decode(a).shape == (400, 960, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]


def test_regression_png_is_curves_only(tmp_path):
    r = plot_run(RUNS / "linear_regression", png=str(tmp_path / "r.png"), log_scale=True, renderer="builtin")
    assert not r.boundary and decode((tmp_path / "r.png").read_bytes()).shape == (400, 640, 3)


def test_a_failed_write_leaves_no_png_and_no_temp_file(tmp_path, monkeypatch):
    (tmp_path / "old.png").write_bytes(b"previous")

    def broken(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        plot_run(RUNS / "linear_regression", png=str(tmp_path / "old.png"), renderer="builtin")
    assert [p.name for p in tmp_path.iterdir()] == ["old.png"] and (tmp_path / "old.png").read_bytes() == b"previous"


def test_series_and_errors():
    r = plot_run(RUNS / "linear_regression", "r2")
    assert list(r.series) == ["r2", "val_r2"] and r.series["r2"]["x"][:3] == [0, 25, 50]
    with pytest.raises(OptionError, match="'acc' is not recorded .*; did you mean 'loss'|'acc' is not recorded"):
        plot_run(RUNS / "linear_regression", "acc")
    with pytest.raises(OptionError, match="--log: r2 has values <= 0"):
        plot_run(RUNS / "linear_regression", "r2", log_scale=True)
    with pytest.raises(ConfigError, match="does not exist"):
        plot_run(RUNS / "nowhere")


def test_chart_is_sized_to_the_width_and_connects_steep_drops():
    lines = chart({"loss": {"x": [0, 1, 2], "y": [10.0, 1.0, 0.5]}}, width=40, height=8)
    assert max(len(x) for x in lines) == 40 and len(lines) == 10
    grid = [line.split("|", 1)[1] if "|" in line else "" for line in lines[:8]]
    assert all("*" in row for row in grid)  # every row is crossed: no gaps in the drop


def test_non_finite_values_are_gaps():
    lines = chart({"loss": {"x": [0, 1, 2], "y": [1.0, float("nan"), 0.5]}}, width=30, height=5)
    assert lines[0].split("|")[1].startswith("*")
