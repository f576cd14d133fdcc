from django.db import migrations, transaction

# On PostgreSQL each document's tokens also name its node's block of 1,024 nodes
# (``tokens.block``: ``n`` and the node's id shifted by ten bits, in hexadecimal), so that
# a term can be asked of the index of tokens within the first nodes (docs/search.md,
# "Cost"). The documents written before get theirs here: the index of tokens is dropped,
# every document's tokens written again, and the index made again at once, which at
# 2.6 million documents is faster than keeping the index up to date row by row.
TABLE = "search_searchdocument"
INDEX = "CREATE INDEX searchdocument_tokens ON search_searchdocument USING gin (tokens) WITH (fastupdate = off)"


def _rewrite(schema_editor, tokens):
    if schema_editor.connection.vendor != "postgresql":
        return
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS searchdocument_tokens")
        cursor.execute(f"UPDATE {TABLE} SET tokens = {tokens}")  # noqa: S608 (ours)
    # The table written again whole, a node's documents together in the order of the
    # nodes: every row written again was put where there was room, a node's documents
    # apart, and the walk of a common word, which reads a node's documents together, took
    # 28 ms against 4 for `するため` (100,000 measures) until it was.
    with connection.cursor() as cursor:
        cursor.execute(f"CLUSTER {TABLE} USING searchdocument_node_field")
        cursor.execute(f"ANALYZE {TABLE}")
    # The index made once the rows written before are dead to every transaction: made in
    # the same transaction, it would hold them too, and would read about 40 times slower
    # within a block for a common token (63 ms against 1.4 for `し`, 100,000 measures)
    # even after they are vacuumed. A migration stopped before this leaves the search
    # slow but right; run again, it writes the tokens again (the same) and makes it.
    with connection.cursor() as cursor:
        cursor.execute(INDEX)


def add_blocks(apps, schema_editor):
    _rewrite(schema_editor, "tokens || ('n' || to_hex(node_id >> 10))::tsvector")


def remove_blocks(apps, schema_editor):
    _rewrite(schema_editor, "ts_delete(tokens, 'n' || to_hex(node_id >> 10))")


class Migration(migrations.Migration):
    # The tokens written again are committed before the index is made (``_rewrite``).
    atomic = False
    dependencies = [("search", "0004_document_storage")]

    operations = [migrations.RunPython(add_blocks, remove_blocks)]
