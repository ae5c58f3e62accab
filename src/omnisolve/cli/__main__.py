"""`python -m omnisolve.cli`: the `omnisolve` command."""

from omnisolve.cli import main

main()
