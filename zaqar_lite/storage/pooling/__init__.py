"""Pooling: the catalog that maps each (project, queue) to a pool's driver.

Not available yet (issue 6 builds it); ``[drivers] message_store`` serves
every queue until then.
"""
