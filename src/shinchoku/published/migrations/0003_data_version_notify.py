"""On PostgreSQL, a notification on ``shinchoku_data_version`` when a transaction that
wrote the versions' table commits, whoever wrote it (``published.versionwatch``). One
per transaction: PostgreSQL folds equal notifications of one transaction into one."""

from django.db import migrations

CREATE = [
    """CREATE OR REPLACE FUNCTION shinchoku_data_version_notify() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('shinchoku_data_version', '');
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER published_dataversion_notify
       AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON published_dataversion
       FOR EACH STATEMENT EXECUTE FUNCTION shinchoku_data_version_notify()""",
]
DROP = [
    "DROP TRIGGER IF EXISTS published_dataversion_notify ON published_dataversion",
    "DROP FUNCTION IF EXISTS shinchoku_data_version_notify()",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("published", "0002_kept_aggregates")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
