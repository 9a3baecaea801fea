-- The widget's appearance per inbox: brand colour (#rrggbb), a greeting shown before
-- the first message, the launcher's side and the team name in the widget's header.
ALTER TABLE inboxes ADD COLUMN brand_color TEXT;
ALTER TABLE inboxes ADD COLUMN greeting TEXT;
ALTER TABLE inboxes ADD COLUMN launcher_position TEXT NOT NULL DEFAULT 'right';
ALTER TABLE inboxes ADD COLUMN team_name TEXT;
