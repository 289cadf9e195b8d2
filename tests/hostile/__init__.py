"""Hostile fixtures for the reliability tests: a programmable HTTP server on 127.0.0.1 and the feeds and
pages it serves (malformed XML, an entity bomb, huge and endless bodies, slow answers, redirect loops)."""
