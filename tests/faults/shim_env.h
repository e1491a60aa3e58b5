/* Shared by the LD_PRELOAD shims (faultshim.c, tapeshim.c): reading their settings. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls `each` on every item of environment variable `name` separated by `sep` (on a
 * copy, which `each` may cut up); nothing if the variable is unset. */
static void shim_env_items(const char* name, const char* sep, void (*each)(char* item))
{
    const char* env = getenv(name);
    if (!env)
        return;
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", env);
    for (char *save = NULL, *item = strtok_r(buf, sep, &save); item; item = strtok_r(NULL, sep, &save))
        each(item);
}
