/*
 * schema.c: unknown fields in policies and bindings. kubectl asks the API
 * server for strict field validation, so a misspelt field ("validation"
 * for "validations") is refused rather than silently ignored; celgate does
 * the same, naming each unknown field with its line.
 */
#include <stdio.h>
#include <string.h>

#include "vap_int.h"

typedef struct schema schema;
typedef struct schema_field {
    const char *name;
    const schema *sub;  /* object (or list of objects) below; NULL: a leaf or free-form */
    bool list;
} schema_field;

struct schema {
    const schema_field *fields;
    size_t n;
};

#define SCHEMA(var, ...)                                                                           \
    static const schema_field var##_f[] = {__VA_ARGS__};                                           \
    static const schema var = {var##_f, sizeof var##_f / sizeof var##_f[0]}

SCHEMA(s_requirement, {"key", NULL, false}, {"operator", NULL, false}, {"values", NULL, false});
SCHEMA(s_selector, {"matchLabels", NULL, false}, {"matchExpressions", &s_requirement, true});
SCHEMA(s_rule, {"resourceNames", NULL, false}, {"operations", NULL, false}, {"apiGroups", NULL, false},
       {"apiVersions", NULL, false}, {"resources", NULL, false}, {"scope", NULL, false});
SCHEMA(s_match, {"namespaceSelector", &s_selector, false}, {"objectSelector", &s_selector, false},
       {"resourceRules", &s_rule, true}, {"excludeResourceRules", &s_rule, true}, {"matchPolicy", NULL, false});
SCHEMA(s_param_kind, {"apiVersion", NULL, false}, {"kind", NULL, false});
SCHEMA(s_validation, {"expression", NULL, false}, {"message", NULL, false}, {"reason", NULL, false},
       {"messageExpression", NULL, false});
SCHEMA(s_audit, {"key", NULL, false}, {"valueExpression", NULL, false});
SCHEMA(s_named, {"name", NULL, false}, {"expression", NULL, false});
SCHEMA(s_policy_spec, {"paramKind", &s_param_kind, false}, {"matchConstraints", &s_match, false},
       {"validations", &s_validation, true}, {"failurePolicy", NULL, false},
       {"auditAnnotations", &s_audit, true}, {"matchConditions", &s_named, true},
       {"variables", &s_named, true});
SCHEMA(s_param_ref, {"name", NULL, false}, {"namespace", NULL, false}, {"selector", &s_selector, false},
       {"parameterNotFoundAction", NULL, false});
SCHEMA(s_binding_spec, {"policyName", NULL, false}, {"paramRef", &s_param_ref, false},
       {"matchResources", &s_match, false}, {"validationActions", NULL, false});
SCHEMA(s_policy, {"apiVersion", NULL, false}, {"kind", NULL, false}, {"metadata", NULL, false},
       {"spec", &s_policy_spec, false}, {"status", NULL, false});
SCHEMA(s_binding, {"apiVersion", NULL, false}, {"kind", NULL, false}, {"metadata", NULL, false},
       {"spec", &s_binding_spec, false});

typedef struct walk {
    const vap_doc *d;
    const char *kind, *version;
    char **errs;
    int n;
} walk;

static void check(walk *w, const json_t *obj, const schema *s, const char *path)
{
    if (!json_is_object(obj))
        return; /* wrong types are decode.c's to report */
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        const schema_field *f = NULL;
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->fields[i].name, k))
                f = &s->fields[i];
        char sub[512];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
        if (!f) {
            vap_errf(w->errs,
                     "%s:%d: %s in version \"%s\" cannot be handled as a %s: strict decoding error: unknown field \"%s\"",
                     w->d->file, vap_doc_line(w->d, v), w->kind, w->version, w->kind, sub);
            w->n++;
            continue;
        }
        if (!f->sub)
            continue;
        if (!f->list) {
            check(w, v, f->sub, sub);
            continue;
        }
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item) {
            char isub[560];
            snprintf(isub, sizeof isub, "%s[%zu]", sub, i);
            check(w, item, f->sub, isub);
        }
    }
}

int vap_schema_check(const vap_doc *d, bool binding, char **errs)
{
    const char *av = json_string_value(json_object_get(d->root, "apiVersion"));
    const char *slash = av ? strchr(av, '/') : NULL;
    walk w = {d, binding ? "ValidatingAdmissionPolicyBinding" : "ValidatingAdmissionPolicy",
              slash ? slash + 1 : "", errs, 0};
    check(&w, d->root, binding ? &s_binding : &s_policy, "");
    return w.n;
}
