"""Python's operator precedence levels, loosest first: the one table both printers use (lang/unparse.py for
programs, tools/formula_text.py for derivative formulas); a child printed where a tighter level is needed
gets parentheses."""

LAMBDA, IFEXP, OR, AND, NOT, CMP, BOR, BXOR, BAND, ARITH, TERM, UNARY, POWER, PRIMARY, ATOM = range(1, 16)
BINOP = {"|": BOR, "^": BXOR, "&": BAND, "+": ARITH, "-": ARITH, "*": TERM, "/": TERM, "//": TERM,
         "%": TERM, "@": TERM, "**": POWER}
