/* main.c - the `tarcza` command: serve, import-districts, demo, report. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("tarcza %s\n", TZ_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: tarcza --version\n");
    return 2;
}
