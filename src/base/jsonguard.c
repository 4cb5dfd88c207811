/*
 * jsonguard.c - jansson's allocations counted per thread (jsonguard.h says
 * why). The counting allocator is jansson's for the whole process and
 * allocates as jansson's default does.
 */
#include "base/jsonguard.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

static _Thread_local unsigned json_alloc_failures;

static void *counting_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        json_alloc_failures++;
    return p;
}

static void install_counting_malloc(void)
{
    json_set_alloc_funcs(counting_malloc, free);
}

void tz_json_guard_begin(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_counting_malloc);
    json_alloc_failures = 0;
}

bool tz_json_guard_failed(void)
{
    return json_alloc_failures > 0;
}
