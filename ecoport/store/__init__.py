"""Persistence: tables, database location, connections and migrations."""
