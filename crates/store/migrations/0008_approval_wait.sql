-- How long an AI client's write on an 'ask' profile waits for the user's decision
-- (docs/safety.md, "Approval"); NULL: the default, 120 s.
ALTER TABLE profiles ADD COLUMN approval_wait_secs INTEGER CHECK (approval_wait_secs IS NULL OR approval_wait_secs > 0);
