"""Pooling: each (project, queue) lives in one pool, a data driver of its own.

``catalog.py`` maps queues to pools through the management store's
catalogue (choosing a pool by flavor and weight when a queue is created)
and builds each pool's driver once; ``controllers.py`` routes every
controller call to the queue's pool; ``driver.py`` is the data driver the
pipelines wrap when ``[DEFAULT] pooling = true``.
"""
