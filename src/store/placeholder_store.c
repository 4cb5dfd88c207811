/* placeholder until the module lands */
typedef int tz_store_placeholder;
