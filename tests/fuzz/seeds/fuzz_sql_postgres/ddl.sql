€CREATE TABLE public.t (id integer NOT NULL, "Na""me" text[]);
COPY public.t (id) FROM stdin;
