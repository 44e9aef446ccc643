-- RFC 9051 §6.3.12: the internal date keeps the time zone the client gave (SEARCH ON/BEFORE/SINCE
-- judge the day in that zone, §6.4.4). timestamptz keeps the instant only; the offset, in
-- minutes east of UTC, lives beside it.
ALTER TABLE entry ADD COLUMN internal_date_offset smallint NOT NULL DEFAULT 0
    CHECK (internal_date_offset BETWEEN -1439 AND 1439);
