from django.db import migrations


def derive_again_on_sqlite(apps, schema_editor):
    # On SQLite the documents' ids now run in the order of their nodes
    # (``indexing.NODE_BITS``). The documents written before are dropped with their
    # tokens, and the plans derived again once ``migrate`` ends (``changes.derive_missing``
    # takes a plan without a version for one never derived), under ids of the new kind.
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document_fts")
        cursor.execute("DELETE FROM search_searchdocument")
    apps.get_model("published", "DataVersion").objects.filter(plan__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_document_positions"),
        ("published", "0003_data_version_notify"),
    ]

    operations = [migrations.RunPython(derive_again_on_sqlite, migrations.RunPython.noop)]
