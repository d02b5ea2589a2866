"""A tiny RGB rasteriser (lines, dots, rectangles, a 3x5 pixel font) that writes PNGs with zlib and struct.

Enough for loss curves and a decision boundary without matplotlib: gradcli keeps its four dependencies,
and the bytes depend only on the pixels (no timestamps), so a PNG is as reproducible as the run.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from .checkpoint import atomic_write

__all__ = ["Canvas"]

# 3x5 glyphs, rows top to bottom, 3 bits each (4 = left column): digits and what axis labels need
_FONT = {
    "0": (7, 5, 5, 5, 7), "1": (2, 6, 2, 2, 7), "2": (7, 1, 7, 4, 7), "3": (7, 1, 7, 1, 7), "4": (5, 5, 7, 1, 1),
    "5": (7, 4, 7, 1, 7), "6": (7, 4, 7, 5, 7), "7": (7, 1, 1, 2, 2), "8": (7, 5, 7, 5, 7), "9": (7, 5, 7, 1, 7),
    ".": (0, 0, 0, 0, 2), "-": (0, 0, 7, 0, 0), "+": (0, 2, 7, 2, 0), " ": (0, 0, 0, 0, 0), "_": (0, 0, 0, 0, 7),
    "a": (0, 6, 3, 5, 7), "b": (4, 4, 6, 5, 6), "c": (0, 3, 4, 4, 3), "d": (1, 1, 3, 5, 3), "e": (7, 4, 7, 4, 7),
    "f": (3, 4, 6, 4, 4), "g": (7, 5, 7, 1, 6), "h": (4, 4, 6, 5, 5), "i": (2, 0, 2, 2, 2), "k": (4, 5, 6, 5, 5),
    "l": (6, 2, 2, 2, 7), "m": (0, 7, 7, 5, 5), "n": (0, 6, 5, 5, 5), "o": (0, 7, 5, 5, 7), "p": (0, 7, 5, 7, 4),
    "r": (0, 6, 5, 4, 4), "s": (0, 3, 6, 1, 6), "t": (4, 7, 4, 4, 3), "u": (0, 5, 5, 5, 7), "v": (0, 5, 5, 5, 2),
    "x": (0, 5, 2, 2, 5), "y": (5, 5, 7, 1, 6),
}


class Canvas:
    """An RGB image as a (height, width, 3) uint8 array; y grows downwards, as PNG rows do."""

    def __init__(self, width: int, height: int, background=(255, 255, 255)):
        self.w, self.h = width, height
        self.px = np.empty((height, width, 3), np.uint8)
        self.px[:] = background

    def rect(self, x0: int, y0: int, x1: int, y1: int, color) -> None:
        """Fill [x0, x1) x [y0, y1), clipped."""
        x0, x1 = max(0, x0), min(self.w, x1)
        y0, y1 = max(0, y0), min(self.h, y1)
        if x0 < x1 and y0 < y1:
            self.px[y0:y1, x0:x1] = color

    def dot(self, x: float, y: float, r: int, color) -> None:
        """A filled disc of radius r around (x, y)."""
        cx, cy = int(round(x)), int(round(y))
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                if dx * dx + dy * dy <= r * r + r:
                    self.rect(cx + dx, cy + dy, cx + dx + 1, cy + dy + 1, color)

    def line(self, x0: float, y0: float, x1: float, y1: float, color, thick: int = 1) -> None:
        """A straight segment, sampled once per pixel of its longer side (no gaps at any slope)."""
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        xs = np.rint(np.linspace(x0, x1, n + 1)).astype(int)
        ys = np.rint(np.linspace(y0, y1, n + 1)).astype(int)
        lo, hi = -(thick // 2), thick - thick // 2
        for x, y in zip(xs, ys):
            self.rect(x + lo, y + lo, x + hi, y + hi, color)

    def text(self, x: int, y: int, s: str, color, scale: int = 2) -> int:
        """Draw s with its top-left corner at (x, y); returns the x after it. Unknown characters are blanks."""
        for ch in s:
            for r, bits in enumerate(_FONT.get(ch.lower(), _FONT[" "])):
                for c in range(3):
                    if bits & (4 >> c):
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, color)
            x += 4 * scale
        return x

    @staticmethod
    def text_width(s: str, scale: int = 2) -> int:
        return len(s) * 4 * scale

    def png_bytes(self) -> bytes:
        raw = b"".join(b"\x00" + self.px[y].tobytes() for y in range(self.h))  # filter 0 on every row

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + \
            chunk(b"IEND", b"")

    def save(self, path: str | Path) -> None:
        """Written atomically: an interrupted write never leaves half a PNG."""
        data = self.png_bytes()
        atomic_write(Path(path), lambda fh: fh.write(data))
