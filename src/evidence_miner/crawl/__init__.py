"""Crawl stage: read saved articles (and, later, fetch web pages) into Page records."""
