"""A tiny RGB rasteriser (lines, dots, rectangles, a 5x7 pixel font across or upwards) writing PNGs with zlib.

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

# 5x7 glyphs drawn for gradcli (in the manner of the classic LCD character sets): rows top to bottom, 5 bits
# each (16 = left column). Printable ASCII that titles, axis labels and numbers need; others draw blank.
_FONT = {
    '0': (14, 17, 19, 21, 25, 17, 14), '1': (4, 12, 4, 4, 4, 4, 14), '2': (14, 17, 1, 2, 4, 8, 31),
    '3': (31, 2, 4, 2, 1, 17, 14), '4': (2, 6, 10, 18, 31, 2, 2), '5': (31, 16, 30, 1, 1, 17, 14),
    '6': (6, 8, 16, 30, 17, 17, 14), '7': (31, 1, 2, 4, 8, 8, 8), '8': (14, 17, 17, 14, 17, 17, 14),
    '9': (14, 17, 17, 15, 1, 2, 12), 'A': (14, 17, 17, 31, 17, 17, 17), 'B': (30, 17, 17, 30, 17, 17, 30),
    'C': (14, 17, 16, 16, 16, 17, 14), 'D': (28, 18, 17, 17, 17, 18, 28), 'E': (31, 16, 16, 30, 16, 16, 31),
    'F': (31, 16, 16, 30, 16, 16, 16), 'G': (14, 17, 16, 23, 17, 17, 15), 'H': (17, 17, 17, 31, 17, 17, 17),
    'I': (14, 4, 4, 4, 4, 4, 14), 'J': (7, 2, 2, 2, 2, 18, 12), 'K': (17, 18, 20, 24, 20, 18, 17),
    'L': (16, 16, 16, 16, 16, 16, 31), 'M': (17, 27, 21, 21, 17, 17, 17), 'N': (17, 17, 25, 21, 19, 17, 17),
    'O': (14, 17, 17, 17, 17, 17, 14), 'P': (30, 17, 17, 30, 16, 16, 16), 'Q': (14, 17, 17, 17, 21, 18, 13),
    'R': (30, 17, 17, 30, 20, 18, 17), 'S': (15, 16, 16, 14, 1, 1, 30), 'T': (31, 4, 4, 4, 4, 4, 4),
    'U': (17, 17, 17, 17, 17, 17, 14), 'V': (17, 17, 17, 17, 17, 10, 4), 'W': (17, 17, 17, 21, 21, 21, 10),
    'X': (17, 17, 10, 4, 10, 17, 17), 'Y': (17, 17, 10, 4, 4, 4, 4), 'Z': (31, 1, 2, 4, 8, 16, 31),
    'a': (0, 0, 14, 1, 15, 17, 15), 'b': (16, 16, 22, 25, 17, 17, 30), 'c': (0, 0, 14, 16, 16, 17, 14),
    'd': (1, 1, 13, 19, 17, 17, 15), 'e': (0, 0, 14, 17, 31, 16, 14), 'f': (6, 9, 8, 28, 8, 8, 8),
    'g': (0, 15, 17, 15, 1, 17, 14), 'h': (16, 16, 22, 25, 17, 17, 17), 'i': (4, 0, 12, 4, 4, 4, 14),
    'j': (2, 0, 6, 2, 2, 18, 12), 'k': (16, 16, 18, 20, 24, 20, 18), 'l': (12, 4, 4, 4, 4, 4, 14),
    'm': (0, 0, 26, 21, 21, 17, 17), 'n': (0, 0, 22, 25, 17, 17, 17), 'o': (0, 0, 14, 17, 17, 17, 14),
    'p': (0, 0, 30, 17, 30, 16, 16), 'q': (0, 0, 13, 19, 15, 1, 1), 'r': (0, 0, 22, 25, 16, 16, 16),
    's': (0, 0, 14, 16, 14, 1, 30), 't': (8, 8, 28, 8, 8, 9, 6), 'u': (0, 0, 17, 17, 17, 19, 13),
    'v': (0, 0, 17, 17, 17, 10, 4), 'w': (0, 0, 17, 17, 21, 21, 10), 'x': (0, 0, 17, 10, 4, 10, 17),
    'y': (0, 0, 17, 17, 15, 1, 14), 'z': (0, 0, 31, 2, 4, 8, 31), '.': (0, 0, 0, 0, 0, 12, 12),
    ',': (0, 0, 0, 0, 12, 4, 8), ':': (0, 12, 12, 0, 12, 12, 0), ';': (0, 12, 12, 0, 12, 4, 8),
    '-': (0, 0, 0, 31, 0, 0, 0), '_': (0, 0, 0, 0, 0, 0, 31), '+': (0, 4, 4, 31, 4, 4, 0),
    '=': (0, 0, 31, 0, 31, 0, 0), '/': (0, 1, 2, 4, 8, 16, 0), '(': (2, 4, 8, 8, 8, 4, 2),
    ')': (8, 4, 2, 2, 2, 4, 8), '[': (14, 8, 8, 8, 8, 8, 14), ']': (14, 2, 2, 2, 2, 2, 14),
    '%': (24, 25, 2, 4, 8, 19, 3), '<': (2, 4, 8, 16, 8, 4, 2), '>': (8, 4, 2, 1, 2, 4, 8),
    "'": (4, 4, 8, 0, 0, 0, 0), '!': (4, 4, 4, 4, 4, 0, 4), '?': (14, 17, 1, 2, 4, 0, 4),
    '*': (0, 4, 21, 14, 21, 4, 0), '#': (10, 10, 31, 10, 31, 10, 10),
}
_BLANK = (0,) * 7


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

    def text(self, x: int, y: int, s: str, color, scale: int = 1) -> int:
        """Draw s with its top-left corner at (x, y), 7*scale pixels high; returns the x after it. Characters
        the font lacks are blanks."""
        for ch in s:
            for r, bits in enumerate(_FONT.get(ch, _BLANK)):
                for c in range(5):
                    if bits & (16 >> c):
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, color)
            x += 6 * scale
        return x

    def text_up(self, x: int, y: int, s: str, color, scale: int = 1) -> None:
        """Draw s reading upwards (a y-axis label) with its bottom-left corner at (x, y): the text drawn on
        a blank strip, turned a quarter left, and its inked pixels copied."""
        strip = Canvas(max(1, self.text_width(s, scale)), 7 * scale, (0, 0, 0))
        strip.text(0, 0, s, (255, 255, 255), scale)
        ink = np.rot90(strip.px[:, :, 0] > 0)  # (width, 7*scale): row 0 is the end of the text
        ys, xs = np.nonzero(ink)
        ys, xs = ys + y - ink.shape[0], xs + x
        keep = (ys >= 0) & (ys < self.h) & (xs >= 0) & (xs < self.w)
        self.px[ys[keep], xs[keep]] = color

    @staticmethod
    def text_width(s: str, scale: int = 1) -> int:
        return len(s) * 6 * scale

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
