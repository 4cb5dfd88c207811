/*
 * replay.c - runs a fuzz harness over files instead of under libFuzzer, so
 * that `make check` (gcc, ASan+UBSan, no libFuzzer) replays every committed
 * corpus input and every crash reproducer in fuzz/regressions/ as a test.
 *
 *   replay_<harness> DIR...   each regular file of each DIR is one input
 *
 * LLVMFuzzerInitialize is optional in a harness; a weak symbol lets it be absent.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define INPUT_MAX (1u << 20)

/* Feeds one file to the harness; -1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = malloc(INPUT_MAX);
    size_t n = data ? fread(data, 1, INPUT_MAX, f) : 0;
    fclose(f);
    if (!data)
        return -1;
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 0;
}

static int replay_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* a harness without regressions has no folder for them */
    int failed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (replay_file(path) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            failed = 1;
        }
        (*count)++;
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int count = 0, failed = 0;
    for (int i = 1; i < argc; i++)
        failed |= replay_dir(argv[i], &count);
    /* A harness aborts on a broken invariant, so reaching here means every input passed. */
    printf("%d passed, %d failed\n", count, failed);
    return failed || count == 0;
}
