/*
 * match.c: whether a request falls under a MatchResources (a policy's
 * matchConstraints or a binding's matchResources), checked in the API
 * server's order: namespaceSelector, objectSelector, excludeResourceRules,
 * resourceRules, then, with matchPolicy Equivalent, the equivalent
 * group/versions of the resource.
 */
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

static bool has(const json_t *list, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        const char *x = json_string_value(v);
        if (x && (!strcmp(x, "*") || !strcmp(x, s)))
            return true;
    }
    return false;
}

static bool is_namespaces(const vap_request *rq)
{
    return !strcmp(rq->gvr.group, "") && !strcmp(rq->gvr.resource, "namespaces");
}

/* `res[/sub]` entries: split at the first '/'; a missing part means the
 * subresource must be empty. */
static bool resource_matches(const json_t *list, const char *res, const char *sub)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        const char *e = json_string_value(v);
        if (!e)
            continue;
        const char *slash = strchr(e, '/');
        size_t rl = slash ? (size_t)(slash - e) : strlen(e);
        bool res_ok = (rl == 1 && e[0] == '*') || (strlen(res) == rl && !strncmp(e, res, rl));
        if (!res_ok)
            continue;
        if (!slash) {
            if (*sub == '\0')
                return true;
        } else if (!strcmp(slash + 1, "*") || !strcmp(slash + 1, sub)) {
            return true;
        }
    }
    return false;
}

static bool rule_matches(const json_t *rule, const vap_request *rq, const vap_gvr *gvr)
{
    const char *scope = json_string_value(json_object_get(rule, "scope"));
    bool ns_res = is_namespaces(rq);
    if (scope && !strcmp(scope, "Namespaced") && (rq->namespace_[0] == '\0' || ns_res))
        return false;
    if (scope && !strcmp(scope, "Cluster") && !(rq->namespace_[0] == '\0' || ns_res))
        return false;
    if (!has(json_object_get(rule, "operations"), rq->operation))
        return false;
    if (!has(json_object_get(rule, "apiGroups"), gvr->group))
        return false;
    if (!has(json_object_get(rule, "apiVersions"), gvr->version))
        return false;
    if (!resource_matches(json_object_get(rule, "resources"), gvr->resource, rq->subresource))
        return false;
    const json_t *names = json_object_get(rule, "resourceNames");
    if (json_array_size(names) > 0) {
        size_t i;
        const json_t *v;
        bool found = false;
        json_array_foreach(names, i, v)
            if (json_is_string(v) && !strcmp(json_string_value(v), rq->name))
                found = true;
        if (!found)
            return false;
    }
    return true;
}

bool vap_rules_match(const json_t *rules, const vap_request *rq, const vap_gvr *gvr)
{
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r)
        if (rule_matches(r, rq, gvr))
            return true;
    return false;
}

static const json_t *labels_of(const json_t *obj)
{
    return json_object_get(json_object_get(obj, "metadata"), "labels");
}

typedef struct equiv_ctx {
    const json_t *rule;
    const vap_request *rq;
    vap_gvr found;
} equiv_ctx;

static bool try_equivalent(const vap_gvr *alt, void *p)
{
    equiv_ctx *c = p;
    if (!rule_matches(c->rule, c->rq, alt))
        return false;
    c->found = *alt;
    return true;
}

/* The fuzzy pass of matchesResourceRules (policy/matching/matching.go):
 * rule by rule, each against every equivalent, so the first rule that
 * matches one decides the version the request is evaluated as. */
static bool equivalent_match(const json_t *rules, const vap_request *rq, vap_gvr *found)
{
    size_t i;
    const json_t *r;
    json_array_foreach(rules, i, r) {
        equiv_ctx c = {r, rq, {0}};
        if (vap_equivalents(&rq->gvr, try_equivalent, &c)) {
            if (found)
                *found = c.found;
            return true;
        }
    }
    return false;
}

void vap_match_resources_eval(const vap_match_resources *mr, const vap_request *rq,
                              const vap_set *set, vap_match *out)
{
    (void)set;
    out->matched = false;
    out->err = NULL;
    out->as = rq->gvr;

    /* 1. namespaceSelector: cluster-scoped objects always pass; a namespace
     * is judged by its own labels. */
    if (mr->ns_selector && !vap_selector_empty(mr->ns_selector)) {
        const json_t *labels = NULL;
        if (is_namespaces(rq)) {
            /* the object's own labels on CREATE/UPDATE of the Namespace
             * itself; the stored ones (oldObject) otherwise */
            bool own = !*rq->subresource && (!strcmp(rq->operation, "CREATE") || !strcmp(rq->operation, "UPDATE"));
            const json_t *obj = own ? rq->object : rq->old_object ? rq->old_object : rq->namespace_obj;
            labels = labels_of(obj);
            if (!vap_selector_matches(mr->ns_selector, labels))
                return;
        } else if (rq->namespace_[0] != '\0') {
            labels = labels_of(rq->namespace_obj);
            if (!vap_selector_matches(mr->ns_selector, labels))
                return;
        }
    }
    /* 2. objectSelector: the new or the old object's labels; a null object
     * never matches. */
    if (mr->obj_selector && !vap_selector_empty(mr->obj_selector)) {
        bool ok = (rq->object && vap_selector_matches(mr->obj_selector, labels_of(rq->object))) ||
                  (rq->old_object && vap_selector_matches(mr->obj_selector, labels_of(rq->old_object)));
        if (!ok)
            return;
    }
    /* 3. exclusions win (under Equivalent, through any equivalent
     * resource too), 4. then the rules (none: everything). */
    if (mr->exclude && vap_rules_match(mr->exclude, rq, &rq->gvr))
        return;
    if (mr->exclude && mr->equivalent && equivalent_match(mr->exclude, rq, NULL))
        return;
    if (!mr->rules || json_array_size(mr->rules) == 0) {
        out->matched = true;
        return;
    }
    if (vap_rules_match(mr->rules, rq, &rq->gvr)) {
        out->matched = true;
        return;
    }
    /* 5. Equivalent: another group/version of the same storage. */
    if (!mr->equivalent)
        return;
    if (equivalent_match(mr->rules, rq, &out->as))
        out->matched = true;
}
