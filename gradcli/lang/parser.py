"""Parses gradlang source into the AST: builds the Lark parser once, and turns lark's errors into ours.

`parse_file(source, filename)` parses a script, `parse_expr(source)` a one-liner such as
`a=x+w; b=w+1; y=a*b`. Both return an `ast.Module` or raise a `GradError` (GradSyntaxError, or
GradLimitError for oversized input) carrying the normalised source and the file name, whatever the
input: this module is the only place where lark exceptions are caught (syntax_errors.py words them).

The parser is LALR with lark's contextual lexer and an indentation postlexer (a lark `Indenter`) that
also records what good messages need: the open brackets, the first token of each logical line, and
the last real token; it measures indentation as Python does (tabs to multiples of 8, TabError where
the meaning depends on the tab width). A pasted `>>> ` session (transcript.py) is parsed in place, its
prompts blanked, at a base indentation of 4. lark's reduction callbacks are replaced by ours
(reductions.py), which build the AST as the parser reduces, without a parse tree. The Lark object is
built lazily once per process.
Building the LALR tables takes ~0.5 s, and even lark's own cache took ~45 ms to load (its generic
deserializer, the contextual lexer, our callbacks compiled). So the built parser itself, its tables keyed
as `_goto_by_identity` leaves them and our callbacks' compiled code, is pickled into the user's own cache
directory ($XDG_CACHE_HOME/gradcli, or ~/.cache/gradcli, made private) and loads in a few ms. The file's
name is a hash of everything its content depends on: the grammar, this module and reductions.py, and the
lark and Python versions; anything missing, corrupt, or not the user's own means building again.
Never in a shared temporary directory (lark's `cache=True`), where another user could plant a pickle.
"""
from __future__ import annotations

import gc
import hashlib
import importlib
import marshal
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import types
from importlib import resources
from pathlib import Path

import lark
from lark import Token
from lark.exceptions import LarkError
from lark.indenter import Indenter
from lark.parsers.lalr_analysis import Action

from . import ast as A
from .ast import Span
from .builder import handlers, token_span
from .checks import check_context
from .errors import GradError, GradLimitError, GradSyntaxError
from . import reductions
from .reductions import compile_callbacks, make_callbacks
from .syntax_errors import CLOSE, KEYWORDS, OPEN, Vocabulary, syntax_error
from .transcript import PROMPT_WIDTH, is_transcript, strip_prompts

__all__ = ["parse_file", "parse_expr", "get_parser", "DEFAULT_MAX_BYTES", "MAX_NESTING"]

DEFAULT_MAX_BYTES = 1_000_000
MAX_NESTING = 10_000  # open brackets at once; 5,000 nested parentheses are fine

_FIRST_LINE_INDENT = re.compile(r"(?:[ \t\f]*(?:#[^\n]*)?\n)*([ \t\f]+)[^\s#]")


class _Postlexer(Indenter):
    """Python-style _INDENT/_DEDENT from _NL tokens, plus the bookkeeping error messages use."""

    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RSQB", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    base_indent = 0  # the indentation of top-level statements (a transcript's prompts are 4 columns)

    def process(self, stream):
        self.indent_level = [self.base_indent]
        self.brackets: list[Token] = []  # open bracket tokens, innermost last
        self.last: Token | None = None  # last token yielded that is not layout
        self.prev: Token | None = None  # the one before it
        self.line_first: Token | None = None  # first token of the current logical line
        self.header: Token | None = None  # first token of the previous logical line
        self.alt_level = [self.base_indent]  # the indentation stack again, counting a tab as one column (see _measure)
        return self._process(stream)

    def _process(self, stream):
        # Runs once per token. lark's paren_level is not kept: only lark's own handle_NL and
        # _process read it, and both are replaced here.
        brackets = self.brackets  # one list per parse (an f-string field's parse puts it back)
        for tok in stream:
            kind = tok.type
            if kind == "NAME":
                if tok.value in KEYWORDS:  # a keyword where none fits: let the parser say so
                    tok.type = _keyword_types.get(tok.value, "KEYWORD")
            elif kind == "_NL":
                if not brackets:
                    yield from self.handle_NL(tok)
                continue
            elif kind in OPEN:
                if len(brackets) >= MAX_NESTING:
                    raise GradLimitError(f"brackets nest too deeply (limit {MAX_NESTING})", token_span(tok))
                brackets.append(tok)
            elif kind in CLOSE:
                self.close_bracket(tok)
            if self.line_first is None:
                self.line_first = tok
            self.prev, self.last = self.last, tok
            yield tok
        end = self.last
        while len(self.indent_level) > 1:
            self.indent_level.pop()
            yield _layout_token(self.DEDENT_type, end.end_line, end.end_column) if end else \
                _layout_token(self.DEDENT_type, 1, 1)

    def close_bracket(self, tok: Token) -> None:
        if not self.brackets:
            raise GradSyntaxError(f"unmatched '{tok.value}'", token_span(tok))
        opener = self.brackets.pop()
        if OPEN[opener.type] != tok.value:
            raise GradSyntaxError(f"closing '{tok.value}' does not match '{opener.value}' opened at line "
                                  f"{opener.line}, column {opener.column}", token_span(tok))

    def handle_NL(self, tok: Token):
        line, col = tok.end_line, tok.end_column  # where the next line's first token is
        # Zero width at the end of its line, so a statement's span stops at its last token.
        tok.end_line, tok.end_column = tok.line, tok.column
        yield tok
        # Reached only when the parser accepted the newline: the next logical line begins.
        self.header, self.line_first = self.line_first, None
        indent, alt = _measure(tok.value.rsplit("\n", 1)[1])
        if indent < self.base_indent:  # only the end of a transcript (its kept lines start at the base)
            indent = alt = self.base_indent
        levels, alts = self.indent_level, self.alt_level
        if indent > levels[-1]:
            if alt <= alts[-1]:
                raise _tab_error(line, col)
            levels.append(indent)
            alts.append(alt)
            yield _layout_token(self.INDENT_type, line, col)
            return
        closed = 0  # blocks this line closes; checked before any is closed, as Python's tokenizer does
        while indent < levels[-1 - closed]:
            closed += 1
        if indent != levels[-1 - closed]:  # lark's DedentError has no position; ours does
            raise GradSyntaxError("unindent does not match any outer indentation level",
                                  Span(line, col, line, col + 1))
        if alt != alts[-1 - closed]:
            raise _tab_error(line, col)
        end = self.last  # a dedent ends the block where its last token ends
        for _ in range(closed):
            levels.pop()
            alts.pop()
            yield _layout_token(self.DEDENT_type, end.end_line, end.end_column)


def _measure(indent: str) -> tuple[int, int]:
    """An indentation's width as Python measures it twice: tabs to the next multiple of 8, and tabs as 1
    column. Where the two orders of lines disagree, the meaning depends on the tab width: a TabError."""
    if "\t" not in indent and "\f" not in indent:
        return len(indent), len(indent)
    col = alt = 0
    for ch in indent:
        if ch == "\t":
            col, alt = (col // 8 + 1) * 8, alt + 1
        elif ch == "\f":  # a form feed starts the count again, as in Python
            col = alt = 0
        else:
            col, alt = col + 1, alt + 1
    return col, alt


def _tab_error(line: int, col: int) -> GradSyntaxError:
    return GradSyntaxError("inconsistent use of tabs and spaces in indentation", Span(line, 1, line, col))


def _layout_token(kind: str, line: int, col: int) -> Token:
    return Token(kind, "", None, line, col, line, col, None)


def _grammar_text() -> str:
    # In a source checkout the grammar sits beside the package, and it is the one that matches this
    # code: an editable install maps `gradcli.grammar` to the checkout it was made from, which may be
    # another worktree. A wheel has no pyproject.toml above the package, so it uses the packaged copy.
    root = Path(__file__).resolve().parents[2]
    local = root / "grammar" / "gradlang.lark"
    if (root / "pyproject.toml").is_file() and local.is_file():
        return local.read_text(encoding="utf-8")
    return resources.files("gradcli.grammar").joinpath("gradlang.lark").read_text(encoding="utf-8")


_lock = threading.RLock()  # the postlexer keeps per-parse state on the shared Lark object
_lark: lark.Lark | None = None
_postlexer: _Postlexer | None = None
_vocabulary: Vocabulary | None = None
_keyword_types: dict[str, str] = {}  # keyword -> its terminal name


def get_parser() -> lark.Lark:
    """The process-wide Lark parser (built on first use, or loaded from the cache)."""
    global _lark, _postlexer, _vocabulary, _keyword_types
    with _lock:
        if _lark is None:
            grammar = _grammar_text()
            path = _cache_file(grammar)
            built = _load(path) if path else None
            if built is None:
                built = _build(grammar)
                if path:
                    _save(path, built)
            parser, compiled = built
            # lark's callbacks would build a parse tree; ours build the AST (see reductions.py).
            _lalr_parser(parser).callbacks = make_callbacks(parser.rules, handlers(_parse_field), compiled)
            _vocabulary = Vocabulary(parser.terminals)
            _keyword_types = _vocabulary.keyword_types
            _lark, _postlexer = parser, parser.options.postlex
        return _lark


def _build(grammar: str) -> tuple:
    """(parser, compiled callbacks) made from the grammar: what the cache keeps."""
    parser = lark.Lark(grammar, parser="lalr", lexer="contextual", start=["file", "expr"],
                       postlex=_Postlexer(), maybe_placeholders=True)
    _goto_by_identity(_lalr_parser(parser), parser.rules)
    return parser, compile_callbacks(parser.rules)


def _cache_file(grammar: str) -> str | None:
    """The parser cache for this grammar in a directory only this user can write, or None (then the
    parser is built every time). Named by a hash of all it depends on, so worktrees with other grammars or
    other versions of this code coexist."""
    if os.environ.get("GRADCLI_NO_PARSER_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "gradcli")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _private(os.stat(directory)):
            return None  # someone else could replace the file: build instead of loading it
        key = hashlib.sha256(grammar.encode("utf-8"))
        for module in (__file__, reductions.__file__):  # the code that shapes what is kept
            with open(module, "rb") as f:
                key.update(f.read())
    except OSError:
        return None
    key.update(f"{lark.__version__} {sys.version}".encode())  # pickle and marshal formats, lark's classes
    return os.path.join(directory, f"gradlang-{key.hexdigest()[:24]}.pickle")


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return (not hasattr(os, "getuid") or st.st_uid == os.getuid()) and not st.st_mode & 0o022


def _load(path: str) -> tuple | None:
    """The cached (parser, compiled callbacks), or None if the file is missing, not private or unusable."""
    try:
        with open(path, "rb") as f:
            if not _private(os.fstat(f.fileno())):
                return None
            data = f.read()
    except OSError:
        return None
    paused = gc.isenabled()
    gc.disable()  # unpickling makes ~100,000 acyclic objects; collecting while it runs doubles its time
    try:
        parser, code, shapes = pickle.loads(data)
        compiled = (marshal.loads(code), shapes)
        if not (isinstance(parser, lark.Lark) and isinstance(parser.options.postlex, _Postlexer)
                and isinstance(compiled[0], types.CodeType) and len(shapes) == len(parser.rules)):
            return None
        _lalr_parser(parser)
    except Exception:  # a truncated or foreign file can fail in any way: then it is built again
        return None
    finally:
        if paused:
            gc.enable()
    return parser, compiled


class _Pickler(pickle.Pickler):
    """Pickles by name what must stay itself: a module (lark's lexer keeps the `re` it uses) and lark's
    parse-table actions, which its parser tells apart by identity (`action is Shift`)."""

    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, Action):
            return obj.name  # saved as the global lark.parsers.lalr_analysis.<name>: Shift or Reduce
        return NotImplemented


def _save(path: str, built: tuple) -> None:
    """Write the cache atomically (a half-written file is never seen); a failure only costs the next start."""
    parser, (code, shapes) = built
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                _Pickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump((parser, marshal.dumps(code), shapes))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # unwritable, full, or a lark that no longer pickles: the parser still works
        return
    _prune(os.path.dirname(path), keep=os.path.basename(path))


STALE_SECONDS = 30 * 24 * 3600


def _prune(directory: str, keep: str) -> None:
    """Each gradcli version writes its own cache file (~0.4 MB): when a new one is saved, remove those not
    rewritten for 30 days, and the files of lark's own cache that earlier versions used. A version still
    in use whose file goes only rebuilds it once (~0.4 s)."""
    now = time.time()
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name == keep or not name.endswith(".pickle") or not name.startswith(("gradlang-", "parser-", ".tmp-")):
            continue
        full = os.path.join(directory, name)
        try:
            if now - os.stat(full).st_mtime > STALE_SECONDS:
                os.unlink(full)
        except OSError:
            pass


def _lalr_parser(parser: lark.Lark):
    """lark's LALR driver, whose `callbacks` ({rule: callback}) it calls at each reduction."""
    lalr = getattr(getattr(getattr(parser, "parser", None), "parser", None), "parser", None)
    if not isinstance(getattr(lalr, "callbacks", None), dict):  # lark moved it: fail loudly, not wrongly
        raise RuntimeError(f"unsupported lark version {lark.__version__}: no LALR callbacks to replace")
    return lalr


def _goto_by_identity(lalr, rules) -> None:
    """Key the parse table's rule entries by the name objects the rules carry.

    After each reduction lark looks up `states[state][rule.origin.name]`. The name is a lark Token
    and the table's key an equal plain str, so every lookup called Token.__eq__ (a Python method;
    ~3% of a parse). With the rule's own object as the key the lookup matches by identity. Keys stay
    equal and hash alike, so nothing else that reads the table changes.
    """
    names = {str(rule.origin.name): rule.origin.name for rule in rules}
    states = lalr.parse_table.states
    for state, actions in states.items():
        states[state] = {names.get(key, key): action for key, action in actions.items()}


# ---------------------------------------------------------------- public API
def parse_file(source: str | bytes, filename: str = "<input>", *, max_bytes: int = DEFAULT_MAX_BYTES) -> A.Module:
    """Parse a whole script; raises GradError (with source and filename attached) on any bad input."""
    text = _prepare(source, max_bytes, filename)
    try:
        if is_transcript(text):  # a pasted `>>> ` session: its program sits at the prompts' width
            return _parse(strip_prompts(text), "file", PROMPT_WIDTH)
        m = _FIRST_LINE_INDENT.match(text)
        if m and _measure(m.group(1))[0]:
            line = text.count("\n", 0, m.start(1)) + 1
            col = m.end(1) - m.start(1) + 1
            raise GradSyntaxError("unexpected indent", Span(line, col, line, col + 1))
        return _parse(text, "file")
    except GradError as e:
        raise e.attach(text, filename) from None


def parse_expr(source: str | bytes, filename: str = "<expr>", *, max_bytes: int = DEFAULT_MAX_BYTES) -> A.Module:
    """Parse a one-liner: expressions and simple statements separated by ';' (or new lines)."""
    text = _prepare(source, max_bytes, filename)
    try:
        return _parse(text, "expr")
    except GradError as e:
        raise e.attach(text, filename) from None


def _prepare(source: str | bytes, max_bytes: int, filename: str) -> str:
    """Size check, UTF-8 decoding, BOM and line-ending normalisation (\\r\\n and \\r become \\n)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise GradLimitError(f"source is too large: {len(data)} bytes (limit {max_bytes})", filename=filename)
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise GradSyntaxError(f"source is not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
                                  Span(line, 1, line, 1), filename=filename) from None
    elif len(source) > max_bytes or len(source.encode("utf-8", "surrogatepass")) > max_bytes:
        size = len(source.encode("utf-8", "surrogatepass"))
        raise GradLimitError(f"source is too large: {size} bytes (limit {max_bytes})", filename=filename)
    if source.startswith("\ufeff"):
        source = source[1:]
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\0")
    if nul >= 0:  # as in Python, not even inside strings or comments
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise GradSyntaxError("source cannot contain NUL characters (U+0000)", Span(line, col, line, col + 1),
                              text, filename)
    return text


def _parse(text: str, start: str, base_indent: int = 0) -> A.Module:
    # Parsing allocates tens of thousands of short-lived, acyclic objects (tokens, stack entries,
    # nodes); the cyclic garbage collector would scan them over and over for nothing (~15% of the
    # time), so it is paused for the duration and restored after, as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _parse_unpaused(text, start, base_indent)
    finally:
        if paused:
            gc.enable()


def _parse_unpaused(text: str, start: str, base_indent: int) -> A.Module:
    parser = get_parser()
    with _lock:
        _postlexer.base_indent = base_indent
        try:
            module = parser.parse(text + "\n", start=start)[0]  # the AST, built as lark reduces
        except LarkError as e:
            raise syntax_error(e, text, _postlexer, _vocabulary) from None
        except (GradError, RecursionError) as e:
            # A handler may reject a node (`f() = 1`) before lark has read the rest of the input. A
            # syntax error anywhere in the input is reported first, as when the AST was built after
            # the parse: look for one, then report the handler's error.
            _check_syntax(parser, text, start)
            if isinstance(e, RecursionError):
                raise GradLimitError("the input nests too deeply to parse") from None
            raise
    check_context(module)
    return module


def _check_syntax(parser: lark.Lark, text: str, start: str) -> None:
    """Parse again without building anything; raise the syntax error of text, if it has one."""
    lalr = _lalr_parser(parser)
    callbacks = lalr.callbacks
    lalr.callbacks = dict.fromkeys(callbacks, _ignore)  # lark only runs its tables
    try:
        parser.parse(text + "\n", start=start)
    except LarkError as e:
        raise syntax_error(e, text, _postlexer, _vocabulary) from None
    except RecursionError:
        raise GradLimitError("the input nests too deeply to parse") from None
    finally:
        lalr.callbacks = callbacks


def _ignore(children) -> None:
    return None


def _parse_field(text: str, line: int, col: int, field_span: Span) -> A.Expr:
    """Parse an f-string field's expression so that its spans point into the file.

    The text is wrapped in parentheses (so new lines inside it are ignored) and preceded by new lines
    and spaces that put its first character at line:col.
    """
    if line == 1:
        padded = "(" + " " * (col - 2) + text + ")"
    else:
        padded = "(" + "\n" * (line - 1) + " " * (col - 1) + text + ")"
    # This runs inside the parse of the enclosing file, whose postlexer state must survive it.
    saved = vars(_postlexer).copy()
    try:
        module = _parse(padded, "expr")
    except GradSyntaxError as e:
        inside = e.span is not None and (field_span.line, field_span.col) <= (e.span.line, e.span.col) \
            < (field_span.end_line, field_span.end_col)
        message = "invalid expression" if "opened at" in e.message else e.message  # not our wrapper's '('
        raise GradSyntaxError("f-string: " + message, e.span if inside else field_span) from None
    finally:
        vars(_postlexer).update(saved)
    if len(module.body) != 1 or not isinstance(module.body[0], A.ExprStmt):
        raise GradSyntaxError("f-string: expected an expression", field_span)
    value = module.body[0].value
    if isinstance(value, A.Tuple) and value.elts:  # `{a, b}`: the span of the bare tuple, not our parens
        value = A.Tuple(value.elts, span=value.elts[0].span.to(value.elts[-1].span))
    return value
