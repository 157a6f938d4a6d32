/*
 * selector.c: Kubernetes label selectors (matchLabels and matchExpressions
 * with In, NotIn, Exists, DoesNotExist), validated when loading and matched
 * against label maps when reviewing. All terms are ANDed; an empty selector
 * matches everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

bool vap_selector_empty(const json_t *sel)
{
    const json_t *ml = json_object_get(sel, "matchLabels");
    const json_t *me = json_object_get(sel, "matchExpressions");
    return json_object_size(ml) == 0 && json_array_size(me) == 0;
}

char *vap_selector_validate(const json_t *sel, const json_t **bad)
{
    *bad = sel;
    if (!json_is_object(sel))
        return vap_strdup("Invalid value: must be an object");
    const json_t *ml = json_object_get(sel, "matchLabels");
    if (ml && !json_is_null(ml)) {
        if (!json_is_object(ml)) {
            *bad = ml;
            return vap_strdup("Invalid value: matchLabels must be a map of strings");
        }
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)ml, k, v) {
            if (!json_is_string(v)) {
                *bad = v;
                return vap_asprintf("Invalid value: matchLabels[%s] must be a string", k);
            }
        }
    }
    const json_t *me = json_object_get(sel, "matchExpressions");
    if (me && !json_is_null(me)) {
        if (!json_is_array(me)) {
            *bad = me;
            return vap_strdup("Invalid value: matchExpressions must be a list");
        }
        size_t i;
        const json_t *e;
        json_array_foreach(me, i, e) {
            *bad = e;
            const json_t *key = json_object_get(e, "key");
            const json_t *op = json_object_get(e, "operator");
            const json_t *vals = json_object_get(e, "values");
            if (!json_is_string(key) || json_string_length(key) == 0)
                return vap_asprintf("matchExpressions[%zu].key: Required value", i);
            if (!json_is_string(op))
                return vap_asprintf("matchExpressions[%zu].operator: Required value", i);
            const char *o = json_string_value(op);
            size_t nv = json_is_array(vals) ? json_array_size(vals) : 0;
            if (vals && !json_is_null(vals) && !json_is_array(vals))
                return vap_asprintf("matchExpressions[%zu].values: Invalid value: must be a list", i);
            for (size_t j = 0; j < nv; j++)
                if (!json_is_string(json_array_get(vals, j)))
                    return vap_asprintf("matchExpressions[%zu].values[%zu]: Invalid value: must be a string", i, j);
            if (!strcmp(o, "In") || !strcmp(o, "NotIn")) {
                if (nv == 0)
                    return vap_asprintf("matchExpressions[%zu].values: Required value: must be specified when `operator` is 'In' or 'NotIn'", i);
            } else if (!strcmp(o, "Exists") || !strcmp(o, "DoesNotExist")) {
                if (nv > 0)
                    return vap_asprintf("matchExpressions[%zu].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'", i);
            } else {
                return vap_asprintf("matchExpressions[%zu].operator: Invalid value: \"%s\": not a valid selector operator", i, o);
            }
        }
    }
    return NULL;
}

static const char *label(const json_t *labels, const char *key)
{
    const json_t *v = json_is_object(labels) ? json_object_get(labels, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool in_values(const json_t *vals, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(vals, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    return false;
}

bool vap_selector_matches(const json_t *sel, const json_t *labels)
{
    if (!sel)
        return true;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(sel, "matchLabels"), k, v) {
        const char *have = label(labels, k);
        if (!have || !json_is_string(v) || strcmp(have, json_string_value(v)))
            return false;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(sel, "matchExpressions"), i, e) {
        const char *key = json_string_value(json_object_get(e, "key"));
        const char *op = json_string_value(json_object_get(e, "operator"));
        const json_t *vals = json_object_get(e, "values");
        if (!key || !op)
            return false;
        const char *have = label(labels, key);
        if (!strcmp(op, "In")) {
            if (!have || !in_values(vals, have))
                return false;
        } else if (!strcmp(op, "NotIn")) {
            if (have && in_values(vals, have))
                return false;
        } else if (!strcmp(op, "Exists")) {
            if (!have)
                return false;
        } else if (!strcmp(op, "DoesNotExist")) {
            if (have)
                return false;
        } else {
            return false;
        }
    }
    return true;
}
