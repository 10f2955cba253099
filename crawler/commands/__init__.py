"""Scrapy commands of the project (COMMANDS_MODULE): they override Scrapy's of the same name."""
