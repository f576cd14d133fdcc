from importlib import import_module

from django.db import migrations

# The nodes' tokens (``NodeTokens``) kept out of their rows on PostgreSQL (docs/search.md,
# "How the nodes' tokens are stored"). A term looked up in their index (``matching._of_nodes``)
# is read as a list of rows, each fetched from the table for its node's id alone: with
# the four columns of tokens in the row (1.3 kB a node of the benchmark plan, a page of
# the table for every six nodes), a two-character word in a tenth of the nodes read most
# pages of a 130 MB table. With every value over a row of 128 bytes moved out of it
# (``toast_tuple_target``), the table holds the nodes' ids and plans, 12 MB at 100,000
# measures, and the tokens are fetched only where a query compares them. Every row is
# gathered again as 0007 gathers them, which writes them by the new setting (an update
# that leaves a value as it was would leave it in its row).
TABLE = "search_nodetokens"
COLUMNS = ("tokens", "tokens_node", "tokens_result", "tokens_target")

by_kind = import_module("shinchoku.search.migrations.0007_node_tokens_by_kind")
storage = import_module("shinchoku.search.migrations.0004_document_storage")


def out_of_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        storage.store(cursor, TABLE, target=128, columns=COLUMNS)
    by_kind.drop_indexes(apps, schema_editor)
    by_kind.gather(apps, schema_editor)


def in_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        storage.store_by_default(cursor, TABLE, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_node_tokens_by_kind")]

    operations = [migrations.RunPython(out_of_row, in_row)]
