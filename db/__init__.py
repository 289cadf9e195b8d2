"""Storage (sqlite-utils) and publication (Datasette) of everything migtrack collects."""
