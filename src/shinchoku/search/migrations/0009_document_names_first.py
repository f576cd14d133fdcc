from django.db import migrations

# The documents stored with the nodes' names apart from their other texts, on PostgreSQL
# (docs/search.md, "How the documents are stored"): the names of the nodes (code, label,
# title) first, in the order of the nodes, then every node's other texts together, in
# the same order. ``indexing.documents_of`` writes them so from now on, a batch of nodes
# at a time. A word of titles in a tenth of the nodes was read from as many pages of the
# table as nodes hold it, each among a node's other texts; its names together, it is
# read from pages of names alone, few enough that the server keeps them in memory.
# The table is written again whole (``CLUSTER``, by an index made for it and dropped
# after), its indexes with it: about a minute at 100,000 measures × 10 years, during
# which searches and a publish wait.
TABLE = "search_searchdocument"
ORDER = "search_document_names_first"
#: The names' fields as this migration knows them (``indexing.NAME_FIELDS``), and the
#: condition on a document that it is one of a node's names.
NAME_FIELDS = ("code", "label", "title")
IS_NAME = "kind = 'node' AND field IN (" + ", ".join(f"'{name}'" for name in NAME_FIELDS) + ")"


def names_first(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {ORDER} ON {TABLE} ((NOT ({IS_NAME})), node_id)")
        cursor.execute(f"CLUSTER {TABLE} USING {ORDER}")
        cursor.execute(f"DROP INDEX {ORDER}")
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0008_node_tokens_out_of_row")]

    # The order of the rows is no schema: going back leaves it.
    operations = [migrations.RunPython(names_first, migrations.RunPython.noop)]
