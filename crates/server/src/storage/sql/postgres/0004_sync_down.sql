-- Sync down to the desktops (docs/sync.md); the same indexes as the SQLite schema.
--
-- Desktops pull a hall's ticket events by seq from a cursor; the by-day index cannot serve a
-- range of seqs across days.
CREATE INDEX ticket_events_by_hall ON ticket_events (hall_id, seq);

-- A deleted row's dependents, found without reading every row of their kind: bindings by their
-- matter and seats by their window (the key's part after its first '/'; a window's bindings, the
-- part before it, are a range of the primary key, bytewise under COLLATE "C"), and seats by their
-- staff member; in key order, the order the cascade logs them in. The storage code queries
-- these exact expressions.
CREATE INDEX sync_rows_by_key_tail ON sync_rows (hall_id, entity, substr(entity_key, strpos(entity_key, '/') + 1), entity_key);
CREATE INDEX sync_rows_by_staff ON sync_rows (hall_id, entity, (row -> 'fields' -> 'staffId' ->> 'value'), entity_key);
