/*
 * fuzz_alert_area.c - libFuzzer harness of tz_alert_area_parse, which reads
 * the area of an alert from outside input (the feed's bbox= and area=, the
 * subscription's "area", `tarcza alerts webhook --area`). The input is the
 * text, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an accepted area has its box on the globe, west <= east, south <= north;
 *   - its canonical text (tz_alert_area_format) parses again to an area of the
 *     same kind whose canonical text is the same (the store keeps that text);
 *   - a circle holds its centre, a box its corners, a district its own id.
 */
#include <string.h>

#include "alerts/alerts.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_box(const struct tz_alert_area *a)
{
    if (a->kind == TZ_AREA_DISTRICT)
        return;
    FUZZ_CHECK(a->west >= -180 && a->east <= 180 && a->south >= -90 && a->north <= 90,
               "box %f %f %f %f off the globe", a->west, a->south, a->east, a->north);
    FUZZ_CHECK(a->west <= a->east && a->south <= a->north, "box %f %f %f %f inside out", a->west,
               a->south, a->east, a->north);
}

static void check_holds(const struct tz_alert_area *a)
{
    switch (a->kind) {
    case TZ_AREA_CIRCLE:
        FUZZ_CHECK(tz_alert_area_contains(a, a->lat, a->lon, NULL), "circle misses its centre");
        break;
    case TZ_AREA_BBOX:
        FUZZ_CHECK(tz_alert_area_contains(a, a->south, a->west, NULL) &&
                       tz_alert_area_contains(a, a->north, a->east, NULL),
                   "box misses a corner");
        break;
    case TZ_AREA_DISTRICT:
        FUZZ_CHECK(tz_alert_area_contains(a, 0, 0, a->district) &&
                       !tz_alert_area_contains(a, 0, 0, NULL),
                   "district %s", a->district);
        break;
    case TZ_AREA_POLYGON:
        FUZZ_CHECK(a->n >= 3 && a->n <= TZ_ALERT_POLYGON_MAX, "polygon of %zu points", a->n);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_alert_area a, b;
    const char *why = NULL;
    if (tz_alert_area_parse((const char *)data, size, &a, &why) != TZ_OK) {
        FUZZ_CHECK(why && why[0], "a refusal says why");
        return 0;
    }
    check_box(&a);
    check_holds(&a);
    char text[TZ_ALERT_TEXT_MAX], again[TZ_ALERT_TEXT_MAX];
    FUZZ_CHECK(tz_alert_area_format(&a, text, sizeof text) == TZ_OK, "no canonical text");
    tz_err err = tz_alert_area_parse(text, strlen(text), &b, &why);
    FUZZ_CHECK(err == TZ_OK && b.kind == a.kind, "\"%s\" does not read back: %s", text, why);
    FUZZ_CHECK(tz_alert_area_format(&b, again, sizeof again) == TZ_OK && strcmp(text, again) == 0,
               "\"%s\" reads back as \"%s\"", text, again);
    return 0;
}
