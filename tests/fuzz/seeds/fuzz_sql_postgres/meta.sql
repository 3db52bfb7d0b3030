 \restrict k
SET a = 1; -- c
/* x /* y */ */ CREATE FUNCTION f() AS $f$ body $$ $f$;
\connect db
