"""Run ecoport as ``python -m ecoport``."""

from ecoport.cli.app import main

main()
