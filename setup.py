"""Only for `scrapyd-deploy`, which still builds its egg through setup.py (`setup.py bdist_egg`).

Everything (packages, package data, the `scrapy` settings entry point) is in pyproject.toml.
"""
from setuptools import setup

setup()
