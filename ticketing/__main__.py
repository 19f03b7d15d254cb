"""`python -m ticketing`: the command line (ticketing/cli.py)."""

from ticketing.cli import main

main()
