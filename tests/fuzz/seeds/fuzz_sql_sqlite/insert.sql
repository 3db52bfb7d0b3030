€INSERT INTO "t" VALUES(1,replace(replace('it''s\nx\r','\r',char(13)),'\n',char(10)),X'00275c',1e999,-9223372036854775808,.5,0x1F);
