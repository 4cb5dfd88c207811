/*
 * main.c - the `tarcza` program. Everything it does is a row of the command
 * table in src/cli/; this file only hands argv to it.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return tz_cli_main(argc, argv);
}
