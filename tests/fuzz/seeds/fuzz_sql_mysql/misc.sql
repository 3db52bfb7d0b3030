-- c
# h
SELECT 1.5e-3, .5, "d\"q", 'it''s', N'n', 0b101, @a, @@b.c <=> 2 --x
/* unterminated