"""Validation, the raw archive and the dataset writers. No Scrapy import in the writers."""
