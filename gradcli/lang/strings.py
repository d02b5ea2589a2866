"""String literals: escape decoding and f-string splitting into Constant / FormattedValue nodes.

The lexer hands over whole string tokens (prefix, quotes and all). Escapes are decoded here, the way
Python decodes them (unknown escapes such as `\\d` keep their backslash). An f-string's `{...}` fields
are cut out by a small scanner that respects brackets and nested string literals; each field's text
is parsed by a callback from parser.py, positioned so that spans point into the original file.
F-strings nest at most as deep as the four quote styles allow, and format specs at most two levels,
so the recursion through the callback is bounded.
"""
from __future__ import annotations

import bisect
import unicodedata
from typing import Callable

from .ast import Constant, Expr, FormattedValue, FString, Span
from .errors import GradSyntaxError

# parse_field(text, line, col, field_span) -> Expr: parses one field's expression text starting at line:col
FieldParser = Callable[[str, int, int, Span], Expr]

_SIMPLE_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_HEX = set("0123456789abcdefABCDEF")
_MAX_SPEC_DEPTH = 2  # `{x:{w}.{p}f}` is fine, a spec inside a spec inside a spec is not (as in Python)


class _Positions:
    """Maps offsets inside one token's text to (line, col) in the file."""

    def __init__(self, text: str, line: int, col: int):
        self.line, self.col = line, col
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def at(self, offset: int) -> tuple[int, int]:
        n = bisect.bisect_left(self.newlines, offset)
        if n == 0:
            return self.line, self.col + offset
        return self.line + n, offset - self.newlines[n - 1]

    def span(self, start: int, stop: int) -> Span:
        line, col = self.at(start)
        end_line, end_col = self.at(stop)
        return Span(line, col, end_line, end_col)


def decode_escapes(text: str, span: Span) -> str:
    """Decode backslash escapes of a (non-raw) string body; span locates errors."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if j + 1 >= n:  # a lone trailing backslash (only before '{' in f-strings) stays
            out.append("\\")
            break
        c = text[j + 1]
        if c in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[c])
            i = j + 2
        elif "0" <= c <= "7":
            k = j + 1
            while k < n and k < j + 4 and "0" <= text[k] <= "7":
                k += 1
            out.append(chr(int(text[j + 1:k], 8)))
            i = k
        elif c in _HEX_WIDTH:
            width = _HEX_WIDTH[c]
            digits = text[j + 2:j + 2 + width]
            if len(digits) < width or not set(digits) <= _HEX:
                raise GradSyntaxError(f"truncated \\{c} escape: expected {width} hex digits", span)
            code = int(digits, 16)
            if code > 0x10FFFF:
                raise GradSyntaxError(f"illegal Unicode character \\{c}{digits}", span)
            out.append(chr(code))
            i = j + 2 + width
        elif c == "N":
            close = text.find("}", j + 3) if text.startswith("{", j + 2) else -1
            if close < 0:
                raise GradSyntaxError("malformed \\N{...} escape", span)
            name = text[j + 3:close]
            try:
                out.append(unicodedata.lookup(name))
            except KeyError:
                raise GradSyntaxError(f"unknown Unicode character name {name!r} in \\N{{...}}", span) from None
            i = close + 1
        else:  # unknown escape: Python keeps the backslash
            out.append("\\" + c)
            i = j + 2
    return "".join(out)


def split_prefix(token: str) -> tuple[str, str, int]:
    """(lower-case prefix, quote, offset of the body) of a string token."""
    k = 0
    while token[k] not in "'\"":
        k += 1
    quote = token[k] * 3 if token.startswith(token[k] * 3, k) and len(token) >= k + 6 else token[k]
    return token[:k].lower(), quote, k + len(quote)


def string_parts(token: str, line: int, col: int, parse_field: FieldParser) -> tuple[bool, list[Expr]]:
    """(is_fstring, parts) of one string token starting at line:col; parts carry file spans."""
    prefix, quote, start = split_prefix(token)
    body = token[start:len(token) - len(quote)]
    pos = _Positions(token, line, col)
    raw = "r" in prefix
    if "f" not in prefix:
        span = pos.span(0, len(token))
        return False, [Constant(body if raw else decode_escapes(body, span), span=span)]
    scanner = _FScanner(body, start, raw, pos, parse_field)
    pieces, _ = scanner.scan(0, in_spec=False, depth=0)
    return True, pieces


def merge_parts(parts: list[Expr]) -> tuple[Expr, ...]:
    """Drop empty constants and join adjacent ones, the normal form of FString.parts."""
    merged: list[Expr] = []
    for part in parts:
        if isinstance(part, Constant):
            if not part.value:
                continue
            if merged and isinstance(merged[-1], Constant):
                last = merged[-1]
                merged[-1] = Constant(last.value + part.value, span=last.span.to(part.span))
                continue
        merged.append(part)
    return tuple(merged)


class _FScanner:
    """Splits an f-string body into literal pieces and `{expr!c:spec}` fields."""

    def __init__(self, body: str, offset: int, raw: bool, pos: _Positions, parse_field: FieldParser):
        self.body, self.offset, self.raw, self.pos, self.parse_field = body, offset, raw, pos, parse_field

    def span(self, i: int, j: int) -> Span:
        return self.pos.span(self.offset + i, self.offset + j)

    def error(self, message: str, i: int, j: int | None = None) -> GradSyntaxError:
        return GradSyntaxError("f-string: " + message, self.span(i, i + 1 if j is None else j))

    def literal(self, chunks: list[str], i: int, j: int) -> list[Expr]:
        text = "".join(chunks)
        if not text:
            return []
        span = self.span(i, j)
        return [Constant(text if self.raw else decode_escapes(text, span), span=span)]

    def scan(self, i: int, in_spec: bool, depth: int) -> tuple[list[Expr], int]:
        """Pieces from body[i:] up to the end (or, in a spec, up to the closing '}')."""
        body, n = self.body, len(self.body)
        parts: list[Expr] = []
        chunks: list[str] = []
        start = i
        while i < n:
            c = body[i]
            if c == "\\" and not self.raw:
                if body.startswith("N{", i + 1):
                    close = body.find("}", i + 3)
                    close = n - 1 if close < 0 else close
                    chunks.append(body[i:close + 1])
                    i = close + 1
                elif i + 1 < n and body[i + 1] not in "{}":
                    chunks.append(body[i:i + 2])
                    i += 2
                else:
                    chunks.append(c)
                    i += 1
            elif c == "{" and not in_spec and body.startswith("{", i + 1):
                chunks.append("{")
                i += 2
            elif c == "{":
                parts += self.literal(chunks, start, i)
                chunks = []
                field, i = self.field(i, depth)
                parts.extend(field)
                start = i
            elif c == "}" and in_spec:
                break
            elif c == "}":
                if not body.startswith("}", i + 1):
                    raise self.error("single '}' is not allowed", i)
                chunks.append("}")
                i += 2
            else:
                chunks.append(c)
                i += 1
        parts += self.literal(chunks, start, i)
        return parts, i

    def skip_string(self, j: int, field_start: int) -> int:
        """Index after the string literal starting at body[j] (inside a field)."""
        body = self.body
        quote = body[j] * 3 if body.startswith(body[j] * 3, j) else body[j]
        k = j + len(quote)
        while k < len(body):
            if body[k] == "\\":
                k += 2
            elif body.startswith(quote, k):
                return k + len(quote)
            else:
                k += 1
        raise self.error("unterminated string in expression", j)

    def field(self, i: int, depth: int) -> tuple[list[Expr], int]:
        """Parse the field opening at body[i] == '{'; returns its parts (the FormattedValue, after the text
        of a self-documenting `{x=}`) and the index after '}'."""
        body, n = self.body, len(self.body)
        j, nest = i + 1, 0
        while True:
            if j >= n:
                raise self.error("expecting '}'", i)
            c = body[j]
            if c in "'\"":
                j = self.skip_string(j, i)
                continue
            if c in "([{":
                nest += 1
            elif c in ")]}":
                if nest == 0 and c == "}":
                    break
                nest = max(nest - 1, 0)
            elif c == "#":
                raise self.error("expression part cannot include '#'", j)
            elif nest == 0 and (c == ":" or (c == "!" and not body.startswith("=", j + 1))):
                break
            j += 1
        text = body[i + 1:j]
        if not text.strip():
            raise self.error("empty expression not allowed", i, j + 1)
        shown = []
        bare = text.rstrip()
        if bare.endswith("=") and not bare.endswith(("==", "!=", "<=", ">=")) and bare[:-1].strip():
            # `{x=}` / `{x = :.2f}`: the text as written, then the value (repr unless a spec or conversion)
            shown = [Constant(text, span=self.span(i + 1, j))]
            text = bare[:-1]
        conversion = None
        if body[j] == "!":
            conversion = body[j + 1:j + 2]
            if conversion not in ("r", "s", "a"):
                raise self.error("invalid conversion character: expected 's', 'r', or 'a'", j + 1)
            j += 2
            if j >= n or body[j] not in ":}":
                raise self.error("expecting '}'", i)
        spec = None
        if body[j] == ":":
            if depth >= _MAX_SPEC_DEPTH:
                raise self.error("expressions nested too deeply", j)
            spec_parts, k = self.scan(j + 1, in_spec=True, depth=depth + 1)
            if k >= n:
                raise self.error("expecting '}'", i)
            if spec_parts:
                spec = FString(merge_parts(spec_parts), span=self.span(j + 1, k))
            j = k
        if shown and conversion is None and spec is None:
            conversion = "r"
        line, col = self.pos.at(self.offset + i + 1)
        field_span = self.span(i, j + 1)
        value = self.parse_field(text, line, col, field_span)
        return shown + [FormattedValue(value, conversion, spec, span=field_span)], j + 1
