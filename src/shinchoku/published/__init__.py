"""What the public reads, kept up to date when published data is written.

Public data changes only when something is published, imported or edited. Every such
write reaches ``shinchoku.published.changes``, in the transaction that writes it, and
that one module keeps everything derived from the published data true: each plan's data
version (``DataVersion``, which the public page cache and the ETags key on), the counts
and totals the plan and plan-area pages read (``shinchoku.published.aggregates``), and
the search documents (``shinchoku.search.indexing``).
"""
