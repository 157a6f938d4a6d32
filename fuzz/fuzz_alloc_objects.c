/*
 * fuzz_alloc_objects.c: the allocator's object decoders and validators on
 * hostile input: the bytes as IP and CIDR text (with their length, NULs
 * included), then as a JSON ServiceCIDR and IPAddress created, updated,
 * read back, deleted and listed on a fresh in-memory allocator. Any crash,
 * leak or sanitizer report is a finding; every call must answer.
 */
#include "celgate/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[256];
    alloc_validate_cidr((const char *)data, size, buf, sizeof buf);
    alloc_validate_ip((const char *)data, size, buf, sizeof buf);

    json_t *obj = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!obj)
        return 0;
    alloc_opts o = {0};
    o.service_cidrs = "10.96.0.0/24,fd00::/120";
    o.seed = 1;
    o.deletion_grace_ms = 0;
    o.leak_grace_ms = -1;
    char *err = NULL;
    alloc_cluster *c = alloc_open(&o, &err);
    if (!c) {
        free(err);
        abort(); /* the fixed configuration must always open */
    }
    alloc_err e;
    json_t *out = NULL;
    if (alloc_servicecidr_create(c, obj, &out, &e) == 0) {
        const char *name = json_string_value(json_object_get(json_object_get(out, "metadata"), "name"));
        if (!name)
            abort(); /* a created object always has its name */
        alloc_servicecidr_update(c, obj, NULL, &e);
        char ips[2][ALLOC_IP_STRLEN];
        size_t n;
        alloc_service_allocate(c, "ns", "fuzz", NULL, 0, NULL, 0, ips, &n, &e);
        alloc_servicecidr_delete(c, name, &e);
        json_decref(out);
    }
    json_t *ipa = NULL;
    if (alloc_ipaddress_create(c, obj, &ipa, &e) == 0) {
        const char *name = json_string_value(json_object_get(json_object_get(ipa, "metadata"), "name"));
        json_t *back = alloc_ipaddress_get(c, name);
        if (!back)
            abort();
        json_decref(back);
        alloc_ipaddress_update(c, obj, NULL, &e);
        alloc_repair(c, NULL, 0, &e);
        alloc_ipaddress_delete(c, name, &e);
        json_decref(ipa);
    }
    json_t *l1 = alloc_servicecidr_list(c), *l2 = alloc_ipaddress_list(c);
    json_decref(l1);
    json_decref(l2);
    alloc_close(c);
    json_decref(obj);
    return 0;
}
