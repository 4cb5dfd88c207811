/* placeholder until the module lands */
typedef int tz_geo_placeholder;
