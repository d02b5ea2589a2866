"""Turns lark's syntax errors into GradSyntaxErrors with messages in the manner of Python's.

`syntax_error(e, text, state, vocabulary)` is called with the postlexer (parser.py) as `state`: at the
failure it still holds the open brackets, the first token of the current and of the previous logical
line, and the last two real tokens, which is what the better messages need.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

from .ast import Span
from .builder import token_span
from .errors import GradSyntaxError

__all__ = ["OPEN", "CLOSE", "KEYWORDS", "Vocabulary", "syntax_error"]

OPEN = {"LPAR": ")", "LSQB": "]", "LBRACE": "}"}
CLOSE = {"RPAR", "RSQB", "RBRACE"}
KEYWORDS = frozenset("""False None True and as assert async await break class continue def del elif
else except finally for from global if import in is lambda nonlocal not or pass raise return try while
with yield""".split())
_LAYOUT = ("_NL", "_INDENT", "_DEDENT")
_BLANK_TAIL = re.compile(r"(?:\s|#[^\n]*)*")
_ORPHAN_CLAUSES = {"else": "'if' or 'try'", "elif": "'if'", "except": "'try'", "finally": "'try'"}
# What a missing ':' comes after, by the first word of the line.
_COLON_AFTER = {"if": "the if condition", "elif": "the elif condition", "while": "the while condition",
                "for": "the for clause", "def": "the function signature", "class": "the class name",
                "with": "the with items", "try": "'try'", "else": "'else'", "finally": "'finally'",
                "except": "the except clause"}


class Vocabulary:
    """What messages need to know of the grammar's terminals."""

    def __init__(self, terminals):
        self.literal = {t.name: t.pattern.value for t in terminals if t.pattern.type == "str"}  # name -> text
        self.keyword_types = {v: n for n, v in self.literal.items() if v in KEYWORDS}  # keyword -> name
        starts = {"(", "[", "{", "lambda", "None", "True", "False", "..."}
        self.expr_starts = frozenset({n for n, v in self.literal.items() if v in starts} |
                                     {"NAME", "NUMBER", "STRING", "PREFIX"})


def syntax_error(e: LarkError, text: str, state, vocab: Vocabulary) -> GradSyntaxError:
    """The GradSyntaxError for lark's error e while parsing text; `at_end` says more input could complete it."""
    if isinstance(e, (UnexpectedToken, UnexpectedCharacters)):
        error = _translate(e, text, state, vocab)
        # The REPL asks for another line instead of reporting these: the input stopped too early.
        error.at_end = _at_end(e, text) or error.message.startswith("unterminated triple-quoted")
        return error
    line, col = getattr(e, "line", 1), getattr(e, "column", 1)  # anything else: still a positioned error
    return GradSyntaxError("invalid syntax", Span(line, col, line, col + 1))


def _at_end(e: LarkError, text: str) -> bool:
    """Did the parse fail on the end of the input (or the new line the parser appends to it)?"""
    if not isinstance(e, UnexpectedToken):
        return False
    tok = e.token
    if tok.type == "$END":
        return True
    if tok.type not in _LAYOUT:
        return False
    start = tok.start_pos
    if start is None:  # an indent/dedent the postlexer made: it carries only a line and column
        lines = text.split("\n")
        start = sum(len(s) + 1 for s in lines[:tok.line - 1]) + tok.column - 1
    # at the end: only blank space and comments follow where the token starts
    return _BLANK_TAIL.fullmatch(text, min(max(start, 0), len(text))) is not None


def _describe(tok: Token) -> str:
    kind, value = tok.type, str(tok)
    if kind == "$END":
        return "end of input"
    if kind == "_NL":
        return "end of line"
    if kind == "_INDENT":
        return "indent"
    if kind == "_DEDENT":
        return "unindent"
    short = value if len(value) <= 20 else value[:17] + "..."
    if kind == "NAME":
        return f"name '{short}'"
    if kind == "NUMBER":
        return f"number {short}"
    if kind == "STRING":
        return "string literal"
    if kind in ("BINOP", "PREFIX", "AUGOP"):
        return f"operator '{' '.join(value.split())}'"
    if value in KEYWORDS:
        return f"keyword '{value}'"
    return f"'{short}'"


def _expected_words(expected: set[str], literal: dict[str, str]) -> str | None:
    """`':' or '->'` for a small set of expected terminals; None if too many to be useful."""
    names = sorted(expected - set(_LAYOUT) - {"$END"}, key=lambda n: (n != "NAME", n))
    if "NAME" in names and ("NUMBER" in names or "STRING" in names):
        return "an expression"
    named = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string", "BINOP": "an operator",
             "AUGOP": "an augmented assignment", "PREFIX": "an expression"}
    words = [named.get(n) or f"'{literal[n]}'" for n in names if n in literal or n in named]
    if "_INDENT" in expected:
        words.append("an indented block")
    if not words or len(words) > 4:
        return None
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _end_span(state, text: str) -> Span:
    """Where 'end of input' is: just after the last real token."""
    last = state.last
    if last is None:
        lines = text.split("\n")
        return Span(len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 2)
    return Span(last.end_line, last.end_column, last.end_line, last.end_column + 1)


def _translate(e: UnexpectedToken | UnexpectedCharacters, text: str, state, vocab: Vocabulary) -> GradSyntaxError:
    if isinstance(e, UnexpectedCharacters):
        return _bad_character(e, text)
    tok: Token = e.token
    try:  # simulate each terminal from the failing state: LALR's own "expected" set over-approximates
        expected = set(e.accepts) if e.interactive_parser is not None else set(e.expected or ())
    except LarkError:
        expected = set(e.expected or ())
    kind = tok.type
    previous = state.prev if tok is state.last else state.last
    if kind == "$END":
        span = _end_span(state, text)
    elif kind in _LAYOUT:  # zero-width tokens: mark one column
        span = Span(tok.line, tok.column, tok.line, tok.column + 1)
    else:
        span = token_span(tok)
    if kind == "_INDENT":
        return GradSyntaxError("unexpected indent", span)
    if kind == "KEYWORD":  # async, await: Python keywords that gradlang does not have
        return GradSyntaxError(f"'{tok.value}' is not supported", span)
    if tok.value == "yield" and kind == vocab.keyword_types.get("yield"):
        return GradSyntaxError("'yield' is supported as a statement only ('yield value', 'yield from it'), "
                               "not inside an expression", span)
    if tok.value in _ORPHAN_CLAUSES and kind == vocab.keyword_types.get(tok.value):
        return GradSyntaxError(f"'{tok.value}' without a matching {_ORPHAN_CLAUSES[tok.value]} at this "
                               "indentation", span)
    if previous is not None and previous is state.line_first and previous.value == "print" \
            and kind in vocab.expr_starts:
        return GradSyntaxError("missing parentheses in call to 'print'", span)
    if state.brackets and state.brackets[-1].value == "{" and kind == "COMMA" and "COLON" in expected:
        return GradSyntaxError("':' expected after dictionary key", span)
    if "_INDENT" in expected:
        header = state.header
        what = {"def": "function definition", "class": "class definition"}.get(
            header.value if header is not None else "", f"'{header.value}' statement" if header is not None else "")
        where = f" after {what} on line {header.line}" if header is not None else ""
        return GradSyntaxError(f"expected an indented block{where}", span)
    if state.brackets and kind == "$END":
        return _unclosed(state.brackets[-1], span)
    if kind == "STRING" and previous is not None and previous.type == "NAME" and \
            previous.value.lower() in ("b", "br", "rb") and previous.end_pos == tok.start_pos:
        return GradSyntaxError("bytes literals are not supported", token_span(previous).to(span))
    if kind == "NAME" and previous is not None and previous.type == "NUMBER" and previous.end_pos == tok.start_pos:
        return GradSyntaxError("invalid number literal", token_span(previous).to(span))
    if state.brackets and previous is not None and tok.line > previous.end_line and kind not in CLOSE \
            and kind != "$END" and state.brackets[-1].line < tok.line:  # new line in brackets: likely unclosed
        return _unclosed(state.brackets[-1], span)
    if state.brackets and kind in vocab.expr_starts and any(n == "COMMA" for n in expected):
        return GradSyntaxError("invalid syntax; perhaps you forgot a comma?", span)
    wanted = _expected_words(expected, vocab.literal)
    if wanted == "an expression" and kind not in vocab.expr_starts:
        if kind == "$END":
            return GradSyntaxError("unexpected end of input; expected an expression", span)
        return GradSyntaxError("expected an expression", span)
    if kind == "EQUAL" and "EQUAL" not in expected:
        return GradSyntaxError("unexpected '='; did you mean '=='?", span)
    first = state.line_first
    if "COLON" in expected and not state.brackets and first is not None and first.value in _COLON_AFTER \
            and kind != "COLON":
        return GradSyntaxError(f"expected ':' after {_COLON_AFTER[first.value]}", span)
    if state.brackets and any(vocab.literal.get(n) == OPEN[state.brackets[-1].type] for n in expected):
        return _unclosed(state.brackets[-1], span)
    message = f"invalid syntax: unexpected {_describe(tok)}"
    if kind == "$END":
        message = "unexpected end of input"
    if wanted:
        message += f"; expected {wanted}"
    return GradSyntaxError(message, span)


def _unclosed(opener: Token, span: Span) -> GradSyntaxError:
    closer = OPEN[opener.type]
    return GradSyntaxError(f"expected '{closer}' to close '{opener.value}' opened at line {opener.line}, "
                           f"column {opener.column}", span)


def _bad_character(e: UnexpectedCharacters, text: str) -> GradSyntaxError:
    line, col, pos = e.line, e.column, e.pos_in_stream
    span = Span(line, col, line, col + 1)
    ch = text[pos] if 0 <= pos < len(text) else e.char
    if ch in "'\"":
        if pos >= 2 and text.startswith(ch * 2, pos - 2):  # an unclosed triple quote lexes as '' then '...
            return GradSyntaxError("unterminated triple-quoted string literal", Span(line, col - 2, line, col + 1))
        triple = text.startswith(ch * 3, pos)
        return GradSyntaxError(f"unterminated {'triple-quoted ' if triple else ''}string literal", span)
    if ch == "\0":
        return GradSyntaxError("source cannot contain NUL characters (U+0000)", span)
    if ch == "\\":
        return GradSyntaxError("unexpected character after line continuation character", span)
    if not ch.isprintable():
        return GradSyntaxError(f"invalid non-printable character U+{ord(ch):04X}", span)
    return GradSyntaxError(f"invalid character '{ch}' (U+{ord(ch):04X})", span)
