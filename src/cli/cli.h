/*
 * cli.h - the `tarcza` command line: one call that reads argv against the
 * command table (src/cli/table.c) and runs the command it names.
 */
#ifndef TZ_CLI_CLI_H
#define TZ_CLI_CLI_H

/* Runs the command argv names; its exit status: 0 done, 1 failed, 2 a command line refused. */
int tz_cli_main(int argc, char **argv);

#endif
