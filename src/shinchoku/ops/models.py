"""No models. The module is here so that Django sends this app its ``post_migrate``
signal (it skips apps without one), which makes the cache table (``apps.py``)."""
