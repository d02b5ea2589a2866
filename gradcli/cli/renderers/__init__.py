"""Text renderers, one module per command (JSON is generic: gradcli.cli.render)."""
