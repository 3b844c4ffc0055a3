"""One module per `projektbank` command: HELP, add_arguments(parser), run(args) -> int.

Modules stay light at import time (no Scrapy, pandas or pyarrow) so `--help` is instant.
"""
