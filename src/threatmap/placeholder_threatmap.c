/* placeholder until the module lands */
typedef int tz_threatmap_placeholder;
