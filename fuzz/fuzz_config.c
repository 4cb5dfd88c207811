/*
 * The --config file of `tarcza serve` (cli/options.c): lines of `name = value` read into a
 * command line, every value checked as on the command line. Any text is either taken whole or
 * refused with a line number inside it and a reason; what is taken satisfies the option table's
 * bounds.
 */
#include "../src/cli/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CLI_CONFIG_MAX || memchr(data, '\0', size))
        return 0; /* read_config refuses these before the parser sees them */
    const struct cli_command *serve = cli_command_find("serve", NULL);
    if (!serve)
        abort();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    struct cli_call call = {.cmd = serve};
    char why[192] = "";
    size_t line = 0;
    if (!cli_config_parse(&call, text, &line, why, sizeof why)) {
        if (line < 1 || line > lines || !why[0])
            abort(); /* a refusal names a line of the file and says why */
    } else {
        for (int o = 0; o < CLI_OPT_COUNT; o++) {
            if (!call.set[o])
                continue;
            if (o == CLI_CONFIG || !call.text[o])
                abort(); /* a file never names another */
            const struct cli_option *spec = &cli_options[o];
            if (spec->number && (call.num[o] < spec->lo || call.num[o] > spec->hi))
                abort();
            if (!spec->number && strlen(call.text[o]) > CLI_TEXT_MAX)
                abort();
        }
    }
    free(text);
    return 0;
}
