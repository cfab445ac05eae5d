-- The receipt an office issued when it settled a plate's parking fees, and
-- the office's list of fees, newest exit first.
ALTER TABLE parking_fees ADD COLUMN receipt_no TEXT;
CREATE INDEX parking_fees_by_exit ON parking_fees (left_at);
