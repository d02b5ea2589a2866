"""What the command line shows, as plain functions returning result objects: one-liner evaluation and
derivatives, graphs, formulas, chain-rule traces, gradient checks, golden tests. No typer or rich here."""
