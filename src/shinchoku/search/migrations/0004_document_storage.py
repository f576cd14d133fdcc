from django.db import migrations

# How PostgreSQL stores a search document (docs/search.md, "How the documents are
# stored"). By default a row over about 2 kB has its tokens compressed with pglz and,
# still over, moved out of the row: a search's walk then fetches and decompresses every
# long document it looks at, about 10 µs for a text of 260 characters. Kept in the row
# as they are up to a row of 8,160 bytes (``toast_tuple_target``), and compressed with
# lz4 beyond where the server has it, the same look costs about 2 µs, and 9 µs against
# 22 µs for a text of 600 characters (bench/search_storage.py).
TABLE = "search_searchdocument"
COLUMNS = ("tokens", "text")


def _has_lz4(cursor):
    cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return row is not None and "lz4" in (row[0] or [])


def store(cursor, table, target=8160, columns=COLUMNS):
    """The storage of the documents' table, or of a table like it (``bench/search_storage.py``),
    for the rows written from now on: values moved out of a row down to ``target`` bytes,
    ``columns`` compressed with lz4 where the server has it (0008 stores the nodes'
    tokens so, with its own target and columns)."""
    cursor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = {int(target)})")
    if _has_lz4(cursor):
        for column in columns:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def store_by_default(cursor, table, columns=COLUMNS):
    """PostgreSQL's own storage of the table, for the rows written from now on."""
    cursor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")
    for column in columns:
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION DEFAULT")


def store_in_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        store(cursor, TABLE)
        # The settings apply to rows written from now on: the documents stored
        # otherwise (compressed, or out of their row) are written again, the others
        # left as they are. A value made anew (concatenated with nothing) is stored by
        # the new settings; the same value would be kept as it was.
        cursor.execute(
            f"UPDATE {TABLE} SET tokens = tokens || ''::tsvector, text = text || '' "  # noqa: S608 (ours)
            "WHERE pg_column_compression(tokens) IS NOT NULL OR pg_column_size(tokens) > 2000 "
            "OR pg_column_compression(text) IS NOT NULL OR pg_column_size(text) > 2000"
        )


def store_as_before(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        store_by_default(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sqlite_ids_in_node_order")]

    operations = [migrations.RunPython(store_in_row, store_as_before)]
