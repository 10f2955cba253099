"""Normalisers: raw page strings -> contract values. Plain Python; no Scrapy, no crawler imports."""
