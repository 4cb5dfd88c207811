/*
 * fuzz_screening_names.c - libFuzzer harness of the name normaliser (tz_screen_normalise) and
 * the scorer over what it makes. The input is a name, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an accepted name has 1..TZ_SCREEN_PARTS_MAX parts, each with 1..TZ_SCREEN_FORMS_MAX forms
 *     of a-z only, NUL-terminated within their buffers, a phonetic key and an index key;
 *   - what is written of each part is valid UTF-8;
 *   - normalising is deterministic (twice the same parts: the second from the table of pieces
 *     romanised so far);
 *   - the name's stored keys (tz_screen_normalise_keys) read back without ICU give the same name;
 *   - the input read as stored keys of a fixed name is taken only when it makes a name whose
 *     parts hold the same promises (keys come from a store, which is outside input too);
 *   - a name scored against itself scores at least 0.97 (every part meets itself).
 */
#include <string.h>

#include "check.h"
#include "screening/screening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_part(const struct tz_screen_part *p)
{
    FUZZ_CHECK(p->nforms >= 1 && p->nforms <= TZ_SCREEN_FORMS_MAX, "%u forms", p->nforms);
    for (size_t f = 0; f < p->nforms; f++) {
        size_t n = strnlen(p->form[f], TZ_SCREEN_KEY_MAX);
        FUZZ_CHECK(n > 0 && n < TZ_SCREEN_KEY_MAX, "form %zu of %zu bytes", f, n);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(p->form[f][i] >= 'a' && p->form[f][i] <= 'z', "form %s", p->form[f]);
    }
    FUZZ_CHECK(strnlen(p->phon, TZ_SCREEN_PHON_MAX) < TZ_SCREEN_PHON_MAX, "phonetic key");
    FUZZ_CHECK(strnlen(p->key, TZ_SCREEN_PHON_MAX) < TZ_SCREEN_PHON_MAX, "index key");
    size_t w = strnlen(p->written, TZ_SCREEN_KEY_MAX);
    FUZZ_CHECK(w < TZ_SCREEN_KEY_MAX && fuzz_utf8_valid(p->written, w), "written part");
}

/* The input as the stored keys of a fixed name. */
static void keys_as_input(const uint8_t *data, size_t size)
{
    static char keys[TZ_WATCH_KEYS_MAX];
    static struct tz_screen_name k;
    size_t n = size < sizeof keys - 1 ? size : sizeof keys - 1;
    memcpy(keys, data, n);
    keys[n] = '\0';
    static const char name[] = "Ilham Heydar oglu Aliyev";
    if (tz_screen_normalise_stored(name, sizeof name - 1, keys, &k) != TZ_OK)
        return;
    FUZZ_CHECK(k.nparts >= 1 && k.nparts <= TZ_SCREEN_PARTS_MAX, "%u parts", k.nparts);
    for (size_t i = 0; i < k.nparts; i++)
        check_part(&k.part[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tz_screen_name a, b;
    static struct tz_screen_query q;
    static char keys[TZ_WATCH_KEYS_MAX];
    keys_as_input(data, size);
    if (tz_screen_normalise_keys((const char *)data, size, &a, keys, sizeof keys) != TZ_OK)
        return 0;
    FUZZ_CHECK(a.nparts >= 1 && a.nparts <= TZ_SCREEN_PARTS_MAX, "%u parts", a.nparts);
    for (size_t i = 0; i < a.nparts; i++)
        check_part(&a.part[i]);
    FUZZ_CHECK(tz_screen_normalise((const char *)data, size, &b) == TZ_OK &&
                   memcmp(&a, &b, sizeof a) == 0,
               "normalising twice differs");
    FUZZ_CHECK(!keys[0] || (tz_screen_normalise_stored((const char *)data, size, keys, &b) ==
                                TZ_OK &&
                            memcmp(&a, &b, sizeof a) == 0),
               "the stored keys %s give another name", keys);
    struct tz_screen_config cfg;
    tz_screen_config_default(&cfg);
    memset(&q, 0, sizeof q);
    q.name = a;
    struct tz_screen_explain why;
    static const char nat[TZ_SCREEN_NAT_MAX][3];
    struct tz_screen_date dob = {0};
    tz_screen_score(&cfg, &q, &a, &dob, nat, 0, &why);
    FUZZ_CHECK(why.score >= 0.97 && why.npairs == a.nparts, "self score %.3f", why.score);
    return 0;
}
