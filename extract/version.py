"""The extractor's version, written into every record (`extractor_version`).

Raise it whenever a change can change a record, so researchers can tell which logic made a row.
"""

EXTRACTOR_VERSION = "projektbank-extract/0.1.0"
