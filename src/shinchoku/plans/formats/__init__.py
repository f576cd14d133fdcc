"""The plan's file formats, each a package with its reader and writer side by side:
``planfile`` (the YAML plan data file), ``dataset`` (the JSON dataset of the open data)
and ``structure`` (the structure sheet, CSV or xlsx); ``matching`` is how all of them
find the organisation units a file names."""
