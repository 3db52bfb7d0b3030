@INSERT INTO t VALUES (1, E'a\n\u00e9\101', 'it''s', X'0a', B'01', -1.5e3, $$x$$);
