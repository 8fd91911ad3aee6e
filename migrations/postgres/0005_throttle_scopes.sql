-- Throttled attempts gain the `signup` scope (sign-ups per IP, counted before the hash).
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check
    CHECK (scope IN ('account', 'ip', 'signup'));
