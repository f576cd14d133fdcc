"""The plan's structure as a spreadsheet (CSV or xlsx): ``export`` writes it, ``importer``
reads one (``grid``, ``headings`` and ``parse`` read it, ``convert`` turns it into the
plan's content, ``checks`` and ``rows`` tell its preview; ``shinchoku.plans.writing``
compares and writes it); ``vocabulary`` is what both sides write and read."""
