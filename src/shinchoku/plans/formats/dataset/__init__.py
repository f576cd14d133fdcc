"""The JSON dataset (schema ``dataset-1.schema.json``): ``export`` writes it from the
database, ``importer`` reads one back (``document``: the bytes and the schema;
``convert``: the dataset as plan-file specs; ``compare``: row by row with the database)."""
