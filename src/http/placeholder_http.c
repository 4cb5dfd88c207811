/* placeholder until the module lands */
typedef int tz_http_placeholder;
