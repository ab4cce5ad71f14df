"""Directories as queues, and the bridge between them and the HTTP API.

``queue.FileQueue`` implements the directory queue protocol (incoming/,
pending/, tmp/, errors/ with atomic renames); ``bridge`` moves files into a
zaqar queue (``zaqar-lite pipe in``) and messages out into files
(``zaqar-lite pipe out``).
"""
