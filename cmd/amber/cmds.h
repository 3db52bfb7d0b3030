/* cmds.h — the verbs of the amber CLI, one file each in cmd/amber/. */
#ifndef AMBER_CMDS_H
#define AMBER_CMDS_H

int cmd_convert(int argc, char **argv);

#endif
