"""The plan's structure as a spreadsheet (CSV or xlsx): ``export`` writes it, ``importer``
reads one (``grid``, ``headings`` and ``parse`` read it, ``compare`` compares it with the
database, ``apply`` writes a clean preview); ``vocabulary`` is what both sides write and
read."""
