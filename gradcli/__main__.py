"""`python -m gradcli` runs the command line."""
from gradcli.cli.app import main

main()
