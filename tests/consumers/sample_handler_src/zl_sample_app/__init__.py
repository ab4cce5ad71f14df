"""A package whose handler is a plain module beside its models: the package
is the handler's home (its migrations/ and its version table)."""
