"""Transports: how clients reach the storage pipelines (HTTP today)."""
