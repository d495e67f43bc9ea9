-- An overflow binding the supervisor makes from the dashboard for the rest of the hall day
-- (issue 6): it lapses after `expires_on` (a hall date, UTC+8). NULL: a standing binding.
ALTER TABLE window_bindings ADD COLUMN expires_on TEXT;
