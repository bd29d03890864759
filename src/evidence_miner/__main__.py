"""`python -m evidence_miner` runs the command-line interface."""

from evidence_miner.cli.main import main

main()
