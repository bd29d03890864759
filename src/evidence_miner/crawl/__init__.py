"""Crawl stage: fetch web pages politely (or read saved files) into Page records."""
