 CREATE TRIGGER tr AFTER INSERT ON [k v] BEGIN SELECT `a``b` -- c
 /* d; */ FROM t WHERE a->>b <> ?1 AND :x != @y; END;
