"""One module per command; each registers itself on the Typer app given to `register`."""
