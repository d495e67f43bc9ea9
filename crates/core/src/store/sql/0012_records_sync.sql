-- Rectification cases sync between the hall's supervisor PCs (issue 17, docs/sync.md).
--
-- A case is keyed on the wire by its rating id (one case per poor rating on every PC, whatever
-- local id each gave it). Its steps are append-only rows keyed `{ratingId}/{stepId}`; the
-- case's state is a pure function of its opening and its steps in (hlc, step_id) order, so a
-- PC recomputes it after every step it makes or pulls. A step that the state machine refuses at
-- its place in that order (two supervisors verified the same case at once) is kept, not lost,
-- with `effective = 0`; `n` is the step's place in the order.
--
-- Steps made before this version have no HLC ('' sorts first, in their old order) and are not
-- sent; the opening assignee of an older case is taken as its current one.

ALTER TABLE rectification_cases ADD COLUMN opening_assignee_kind TEXT
    CHECK (opening_assignee_kind IS NULL OR opening_assignee_kind IN ('department', 'staff'));
ALTER TABLE rectification_cases ADD COLUMN opening_assignee_id TEXT;
ALTER TABLE rectification_cases ADD COLUMN opening_assignee_name TEXT;
UPDATE rectification_cases
   SET opening_assignee_kind = assignee_kind, opening_assignee_id = assignee_id,
       opening_assignee_name = assignee_name;

ALTER TABLE rectification_steps ADD COLUMN step_id TEXT;
ALTER TABLE rectification_steps ADD COLUMN hlc TEXT NOT NULL DEFAULT '';
ALTER TABLE rectification_steps ADD COLUMN actor_id TEXT;
ALTER TABLE rectification_steps ADD COLUMN effective INTEGER NOT NULL DEFAULT 1 CHECK (effective IN (0, 1));
UPDATE rectification_steps SET step_id = printf('local-%06d', n);
CREATE UNIQUE INDEX rectification_steps_by_id ON rectification_steps (case_id, step_id);
