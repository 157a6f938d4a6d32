/*
 * fuzz_policy_load.c: arbitrary bytes as a policy file through the YAML
 * loader, decoding, defaulting, validation and compilation. Invariants: no
 * crash or leak, and a refused file always says why.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vap/vap_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    vap_set *s = vap_set_load_text("fuzz.yaml", (const char *)data, size, NULL, NULL, &err);
    if (!s && !err)
        abort();
    free(err);
    vap_set_unref(s);
    return 0;
}
