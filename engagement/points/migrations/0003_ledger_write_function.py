"""PostgreSQL: the hot path of the ledger (awards and spends) as one server-side function, so a
write is one statement, one round trip and, outside a transaction, its own transaction (no
BEGIN/COMMIT round trips), with plans the server caches per connection.

The function is VOLATILE, so under READ COMMITTED every statement in it takes a fresh snapshot:
once the account row is locked, the idempotency check, today's earnings (the daily cap) and the
balance see every earlier write for this member, and none can change until commit. It keeps every
rule of the Python path (engagement/points/services.py `_write_orm`, used on SQLite): one ledger
row per idempotency key, balance_after from the locked balance, balance / lifetime earned moved
in the same transaction, leaderboard period totals bumped, spends refused below zero."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION points_ledger_write(
    p_member bigint, p_amount integer, p_lifetime integer, p_kind varchar, p_reason varchar, p_note varchar,
    p_source_type varchar, p_source_id varchar, p_category bigint, p_actor bigint, p_key varchar,
    p_at timestamptz, p_cap integer, p_day_start timestamptz, p_day_end timestamptz, p_refuse_short boolean,
    p_week date, p_month date, p_all date)
RETURNS TABLE (o_status text, o_lifetime integer, o_balance integer, o_id bigint, o_amount integer,
               o_lifetime_amount integer)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_balance integer;
    v_amount integer := p_amount;
    v_lt integer;
    v_id bigint;
    v_earned integer;
    v_lifetime integer;
BEGIN
    -- a key already written is final (rows never change): answer without taking the lock
    SELECT e.id INTO v_id FROM points_pointsentry e WHERE e.idempotency_key = p_key;
    IF v_id IS NOT NULL THEN
        RETURN QUERY SELECT 'dup'::text, NULL::integer, NULL::integer, v_id, NULL::integer, NULL::integer;
        RETURN;
    END IF;

    SELECT a.balance INTO v_balance FROM points_pointsaccount a WHERE a.member_id = p_member FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO points_pointsaccount (member_id, balance, lifetime_earned, updated_at)
            VALUES (p_member, 0, 0, p_at) ON CONFLICT (member_id) DO NOTHING;
        SELECT a.balance INTO v_balance FROM points_pointsaccount a WHERE a.member_id = p_member FOR UPDATE;
    END IF;

    -- under the lock (a fresh snapshot: every earlier write for this member is visible): the key again
    SELECT e.id INTO v_id FROM points_pointsentry e WHERE e.idempotency_key = p_key;
    IF v_id IS NOT NULL THEN
        RETURN QUERY SELECT 'dup'::text, NULL::integer, v_balance, v_id, NULL::integer, NULL::integer;
        RETURN;
    END IF;

    IF p_cap IS NOT NULL THEN
        SELECT COALESCE(SUM(e.amount), 0) INTO v_earned FROM points_pointsentry e
         WHERE e.member_id = p_member AND e.reason = p_reason AND e.kind = 'earn'
           AND e.created_at >= p_day_start AND e.created_at < p_day_end;
        v_amount := LEAST(p_amount, p_cap - v_earned);
        IF v_amount <= 0 THEN
            RETURN QUERY SELECT 'capped'::text, NULL::integer, v_balance, NULL::bigint, NULL::integer, NULL::integer;
            RETURN;
        END IF;
    END IF;

    IF p_refuse_short AND v_balance + v_amount < 0 THEN
        RETURN QUERY SELECT 'short'::text, NULL::integer, v_balance, NULL::bigint, NULL::integer, NULL::integer;
        RETURN;
    END IF;

    v_lt := COALESCE(p_lifetime, v_amount);
    INSERT INTO points_pointsentry (member_id, amount, lifetime_amount, kind, reason, note, source_type, source_id,
                                    category_id, actor_id, idempotency_key, reverses_id, balance_after, created_at)
        VALUES (p_member, v_amount, v_lt, p_kind, p_reason, p_note, p_source_type, p_source_id, p_category,
                p_actor, p_key, NULL, v_balance + v_amount, p_at)
        RETURNING id INTO v_id;
    UPDATE points_pointsaccount a
       SET balance = a.balance + v_amount, lifetime_earned = a.lifetime_earned + v_lt, updated_at = p_at
     WHERE a.member_id = p_member
    RETURNING a.lifetime_earned INTO v_lifetime;

    IF v_lt <> 0 THEN
        INSERT INTO points_pointsperiodtotal AS t (period, period_start, category_id, member_id, points)
        SELECT b.period, b.start, c.cat, p_member, v_lt
          FROM (VALUES ('w', p_week), ('m', p_month), ('a', p_all)) AS b(period, start)
          CROSS JOIN (VALUES (0::bigint), (NULLIF(p_category, 0))) AS c(cat)
         WHERE c.cat IS NOT NULL
        ON CONFLICT (period, period_start, category_id, member_id)
        DO UPDATE SET points = t.points + EXCLUDED.points;
    END IF;

    RETURN QUERY SELECT 'new'::text, v_lifetime, v_balance + v_amount, v_id, v_amount, v_lt;
END
$fn$;
"""

DROP = """DROP FUNCTION IF EXISTS points_ledger_write(bigint, integer, integer, varchar, varchar, varchar, varchar,
    varchar, bigint, bigint, varchar, timestamptz, integer, timestamptz, timestamptz, boolean, date, date, date)"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("points", "0002_default_rules")]
    operations = [migrations.RunPython(create, drop)]
