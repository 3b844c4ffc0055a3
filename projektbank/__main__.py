"""`python -m projektbank …`: the command line, as the `projektbank` script runs it."""

import sys

from projektbank.crawler.cli import main

sys.exit(main())
