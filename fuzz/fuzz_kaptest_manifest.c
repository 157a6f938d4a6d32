/*
 * fuzz_kaptest_manifest.c: arbitrary bytes as a `celgate test` manifest
 * and as a resource file: the YAML loader with positions, the manifest's
 * layouts and checks, and every case set up against the resources (object
 * references, params, userInfo, namespaceObject, authorizer rules, the
 * request). Invariants: no crash, hang or leak; a refused manifest always
 * says why; a case that cannot be set up always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaptest/kt_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    kt_resources res = {0};
    kt_resources_add_text(&res, "fuzz-resources.yaml", text, size);
    kt_manifest m;
    if (kt_manifest_load_text("fuzz/kaptest.yaml", text, size, &m) < 0) {
        if (!m.error)
            abort();
    } else {
        kt_opts o = {0};
        vap_policy_info pi = {.name = "p", .file = "p.yaml", .has_param_kind = true, .param_api_version = "v1",
                              .param_kind = "ConfigMap"};
        for (size_t i = 0; i < m.nsuites; i++) {
            const kt_suite *s = &m.suites[i];
            size_t n = json_array_size(s->tests);
            for (size_t k = 0; k < n && k < 1000; k++) {
                kt_case c;
                kt_case_build(&c, &m, s, k, &res, (k & 1) ? &pi : NULL, &o);
                if (!c.title || !c.id || !c.subject || (!c.request && !c.errors.n))
                    abort();
                kt_case_clear(&c);
            }
        }
    }
    kt_manifest_clear(&m);
    kt_resources_clear(&res);
    return 0;
}
