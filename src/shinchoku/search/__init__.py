"""The search of published data: one search document per published node, field and
year, written when the data is published or imported (``indexing``), and read by the
public search (``selectors``)."""
