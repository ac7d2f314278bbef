"""On PostgreSQL, refuse UPDATE and DELETE on append-only tables in the database itself, so not
even raw SQL or a bug elsewhere can rewrite history. (TRUNCATE, used by test teardown, is not
affected.) Other databases rely on the model and queryset guards."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION huoli_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a compensating row instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        "CREATE TRIGGER audit_auditlog_append_only BEFORE UPDATE OR DELETE ON audit_auditlog "
        "FOR EACH ROW EXECUTE FUNCTION huoli_refuse_change()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditlog_append_only ON audit_auditlog")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
