/*
 * eval.c: one admission request through a policy set, as the API server's
 * validating admission policy plugin does it: match each policy, then each
 * of its bindings, collect params, and per param run matchConditions,
 * validations, messageExpressions and auditAnnotations with their budgets;
 * decisions are then enforced per the binding's validationActions and the
 * first denial shapes the client's error.
 *
 * Everything a review creates lives in its own arena and outcome: the set
 * is only read, so any number of threads may review with one set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vap_int.h"

#define BUDGET_PREFIX "validation failed due to running out of cost budget"
#define BUDGET_TEXT BUDGET_PREFIX ", no further validation rules will be run"

typedef enum { DEC_ADMIT, DEC_DENY, DEC_ERROR } dec_kind;

typedef struct dec {
    dec_kind kind;
    int index;           /* validation index, -1 otherwise */
    char *message;
    const char *reason;  /* NULL: Invalid */
} dec;

typedef struct decs {
    dec *v;
    size_t n, cap;
} decs;

/* What a review accumulates across policies. */
typedef struct review {
    const vap_set *set;
    const vap_request *rq;
    const vap_authorizer *authz;
    cel_arena *arena;
    vap_outcome *out;
    bool denied;
    json_t *failures;    /* validation_failure entries */
    bool oom;
    const vap_observer *obs;
} review;

static void decs_add(decs *d, dec_kind kind, int index, char *message, const char *reason)
{
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        dec *nv = realloc(d->v, ncap * sizeof *nv);
        if (!nv) {
            free(message);
            return;
        }
        d->v = nv;
        d->cap = ncap;
    }
    d->v[d->n++] = (dec){kind, index, message, reason};
}

static void decs_clear(decs *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].message);
    free(d->v);
    memset(d, 0, sizeof *d);
}

static void record(review *r, const char *policy, const char *binding, int index, const char *action,
                   const char *error_type, bool errored, const char *message)
{
    vap_outcome *o = r->out;
    vap_decision *nd = realloc(o->decisions, (o->ndecisions + 1) * sizeof *nd);
    if (!nd) {
        r->oom = true;
        return;
    }
    o->decisions = nd;
    nd[o->ndecisions++] = (vap_decision){vap_strdup(policy), vap_strdup(binding), index, action,
                                         error_type, errored, vap_strdup(message)};
}

static void add_warning(review *r, char *w)
{
    if (!w)
        return;
    char **nw = realloc(r->out->warnings, (r->out->nwarnings + 1) * sizeof *nw);
    if (!nw) {
        free(w);
        r->oom = true;
        return;
    }
    r->out->warnings = nw;
    nw[r->out->nwarnings++] = w;
}

/* The error_type label upstream's ErrorType(decision) gives
 * (validating/errors.go): read from the message, so a false validation is
 * "invalid_error" as well. */
static const char *error_type_of(bool admitted, const char *msg)
{
    if (admitted)
        return "no_error";
    if (msg && !strncmp(msg, "compilation", 11))
        return "compile_error";
    if (msg && !strncmp(msg, BUDGET_PREFIX, sizeof BUDGET_PREFIX - 1))
        return "out_of_budget";
    return "invalid_error";
}

/* The first denial supplies the client's error. */
static void deny(review *r, const char *policy, const char *binding, const char *reason, const char *msg)
{
    if (r->denied)
        return;
    r->denied = true;
    char *core = binding
        ? vap_asprintf("ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s", policy, binding, msg)
        : vap_asprintf("ValidatingAdmissionPolicy '%s' denied request: %s", policy, msg);
    if (!core) {
        r->oom = true;
        return;
    }
    const char *rs = reason && *reason ? reason : "Invalid";
    r->out->status = vap_status_new(r->rq, rs, core);
    r->out->reason = vap_strdup(rs);
    r->out->code = vap_reason_code(rs);
    const char *m = json_string_value(json_object_get(r->out->status, "message"));
    r->out->message = vap_strdup(m ? m : core);
    free(core);
}

/* ---------------------------------------------------------------- variables */

const json_t *vap_run_request(vap_run *run)
{
    vap_reqdoc *rd = run->reqdoc;
    if (!rd->doc)
        rd->doc = vap_request_document(run->rq, run->as);
    return rd->doc;
}

cel_value vap_run_variable(vap_run *run, size_t i)
{
    vap_group *g = run->group;
    const vap_policy *p = run->policy;
    if (!g || i >= g->n || i >= p->nvariables)
        return vap_error(run->arena, CEL_ERR_GENERAL, "no such key: variables[%zu]", i);
    if (g->state[i])
        return g->vals[i];
    const vap_named_expr *v = &p->variables[i];
    cel_value r;
    if (!v->expr.prog) {
        r = vap_error(run->arena, CEL_ERR_GENERAL, "composited variable \"%s\" fails to compile: %s", v->name,
                      v->expr.compile_error ? v->expr.compile_error : "no program");
        vap_observe(run, VAP_EXPR_VARIABLE, i, r);
    } else {
        /* A variable has its own per-call limit and charges the shared
         * budget of the group that reads it. */
        r = p->backend->eval(v->expr.prog, run);
        vap_observe(run, VAP_EXPR_VARIABLE, i, r);
        if (r.kind == CEL_ERROR && r.u.err->code != CEL_ERR_BUDGET)
            r = vap_error(run->arena, r.u.err->code, "composited variable \"%s\" fails to evaluate: %s", v->name,
                          r.u.err->msg);
    }
    g->vals[i] = r;
    g->state[i] = 1;
    return r;
}

void vap_observe(const vap_run *run, vap_expr_kind kind, size_t index, cel_value v)
{
    if (!run->obs || !run->obs->seen)
        return;
    unsigned what = v.kind == CEL_ERROR ? VAP_SEEN_ERROR
                  : v.kind == CEL_BOOL ? (v.u.b ? VAP_SEEN_TRUE : VAP_SEEN_FALSE)
                  : VAP_SEEN_VALUE;
    run->obs->seen(run->obs->ctx, run->set, run->policy_index, kind, index, what);
}

cel_value vap_run_expr(vap_run *run, const vap_expr *e)
{
    if (!e->prog)
        return vap_error(run->arena, CEL_ERR_GENERAL, "%s", e->compile_error ? e->compile_error : "no program");
    return run->policy->backend->eval(e->prog, run);
}

/* The error text of an expression that failed: upstream words a stored
 * expression that never compiled apart from one that failed at run time. */
static char *expr_error(const vap_expr *e, cel_value v)
{
    if (!e->prog)
        return vap_asprintf("compilation error: %s", e->compile_error ? e->compile_error : "no program");
    return vap_asprintf("expression '%s' resulted in error: %s", e->src, v.u.err->msg);
}

static int group_init(vap_run *run, vap_group *g)
{
    size_t n = run->policy->nvariables;
    g->n = n;
    g->vals = n ? cel_arena_alloc(run->arena, n * sizeof *g->vals) : NULL;
    g->state = n ? cel_arena_alloc(run->arena, n) : NULL;
    if (n && (!g->vals || !g->state))
        return -1;
    if (n)
        memset(g->state, 0, n);
    run->group = g;
    return 0;
}

/* ---------------------------------------------------------------- one (policy, binding, param) */

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
                 s[n - 1] == '\f' || s[n - 1] == '\v'))
        n--;
    return vap_strndup(s, n);
}

static bool is_budget(cel_value v)
{
    return v.kind == CEL_ERROR && v.u.err->code == CEL_ERR_BUDGET;
}

/* matchConditions, as matchconditions/matcher.go: every condition is
 * evaluated first (running out of budget fails the lot); then any false
 * result skips, whatever errors others had; else errors go to
 * failurePolicy, aggregated as apimachinery's utilerrors words them
 * (distinct messages, in brackets when more than one). A result other than
 * false, an error or bool (dyn) counts as met, as upstream compares with
 * false only. Returns 1 match, 0 no match (*failed: the first false
 * condition's name), -1 error (*err set). */
static int match_conditions(vap_run *run, char **err, const char **failed)
{
    const vap_policy *p = run->policy;
    if (!p->nconditions)
        return 1;
    run->budgets[0] = VAP_MATCH_BUDGET;
    run->budget = &run->budgets[0];
    run->group = NULL;
    const json_t *ns = run->namespace_obj;
    run->namespace_obj = NULL; /* the match-condition evaluator is given no namespace */
    char **msgs = calloc(p->nconditions, sizeof *msgs);
    size_t nmsg = 0, total = 0;
    bool out_of_budget = !msgs;
    const char *first_false = NULL;
    for (size_t i = 0; msgs && i < p->nconditions; i++) {
        const vap_named_expr *c = &p->conditions[i];
        cel_value v = vap_run_expr(run, &c->expr);
        vap_observe(run, VAP_EXPR_CONDITION, i, v);
        if (is_budget(v)) {
            out_of_budget = true;
            break;
        }
        if (v.kind == CEL_BOOL && !v.u.b && !first_false)
            first_false = c->name;
        if (v.kind != CEL_ERROR)
            continue;
        char *one = expr_error(&c->expr, v);
        bool seen = !one;
        for (size_t k = 0; one && k < nmsg; k++)
            seen |= !strcmp(msgs[k], one);
        if (seen) {
            free(one);
            continue;
        }
        total += strlen(one) + 2;
        msgs[nmsg++] = one;
    }
    run->namespace_obj = ns;
    run->budget = NULL;
    int result = 1;
    if (out_of_budget) {
        *err = vap_strdup(BUDGET_TEXT);
        result = -1;
    } else if (first_false) {
        result = 0;
        if (failed)
            *failed = first_false;
    } else if (nmsg) {
        char *joined = malloc(total + 3), *w = joined;
        if (joined) {
            if (nmsg > 1)
                *w++ = '[';
            for (size_t k = 0; k < nmsg; k++) {
                if (k) {
                    memcpy(w, ", ", 2);
                    w += 2;
                }
                size_t n = strlen(msgs[k]);
                memcpy(w, msgs[k], n);
                w += n;
            }
            if (nmsg > 1)
                *w++ = ']';
            *w = '\0';
        }
        *err = joined;
        result = -1;
    }
    for (size_t k = 0; k < nmsg; k++)
        free(msgs[k]);
    free(msgs);
    return result;
}

/* An auditAnnotation value cut to 10 KiB as the dispatcher cuts it (bytes,
 * value[:10240]); the bytes of a character cut in two read as U+FFFD each,
 * as Go's JSON encoding shows them, so the value stays valid UTF-8. */
static char *cut_value(char *t)
{
    size_t n = VAP_MAX_AUDIT_VALUE_LEN, start = n, k = 0;
    while (k < 3 && start > 0 && ((unsigned char)t[start - 1] & 0xC0) == 0x80) {
        start--;
        k++;
    }
    size_t need = 1;
    unsigned char lead = start > 0 ? (unsigned char)t[start - 1] : 0;
    if (lead >= 0xF0)
        need = 4;
    else if (lead >= 0xE0)
        need = 3;
    else if (lead >= 0xC0)
        need = 2;
    size_t have = k + 1;
    if (lead < 0xC0 || have >= need) { /* the last character is whole */
        t[n] = '\0';
        return t;
    }
    start--; /* the lead byte too */
    char *r = realloc(t, start + have * 3 + 1);
    if (!r) {
        t[start] = '\0';
        return t;
    }
    for (size_t i = 0; i < have; i++)
        memcpy(r + start + 3 * i, "\xef\xbf\xbd", 3);
    r[start + have * 3] = '\0';
    return r;
}

/* Picks the message of a failed validation (§6.1). */
static char *failure_message(const vap_validation *v, cel_value msg)
{
    if (msg.kind == CEL_STRING) {
        /* trimmed; then too long, blank or multi-line: discarded (a NUL
         * byte could not travel in the reply either) */
        char *t = !memchr(msg.u.str, '\0', msg.len) ? trimmed(msg.u.str, msg.len) : NULL;
        if (t && *t && strlen(t) <= VAP_MAX_MESSAGE_EXPR_LEN && !strchr(t, '\n'))
            return t;
        free(t);
    }
    if (v->message && *v->message)
        return vap_strdup(v->message);
    char *src = trimmed(v->expr.src, v->expr.len);
    char *m = vap_asprintf("failed expression: %s", src ? src : "");
    free(src);
    return m;
}

/* Runs validations, messageExpressions and auditAnnotations; decisions
 * go to d, auditAnnotation errors to audit_errs (the API server denies on
 * them under Fail whatever the binding's actions), annotation values to
 * annots (key -> list of distinct values, for the whole policy). */
static void evaluate_groups(vap_run *run, decs *d, decs *audit_errs, json_t *annots);

/* The variable caches live on evaluate_groups' frame: the run forgets them after. */
static void evaluate_one(vap_run *run, decs *d, decs *audit_errs, json_t *annots)
{
    evaluate_groups(run, d, audit_errs, annots);
    run->budget = NULL;
    run->group = NULL;
}

static void evaluate_groups(vap_run *run, decs *d, decs *audit_errs, json_t *annots)
{
    const vap_policy *p = run->policy;
    const vap_backend *be = p->backend;
    run->budgets[1] = VAP_RUNTIME_BUDGET;
    vap_group ga, gm, gu;
    run->cost_limit = VAP_PER_CALL_LIMIT;

    /* validations: each on its own, sharing one budget and one cache */
    run->budget = &run->budgets[1];
    if (group_init(run, &ga) < 0) {
        decs_add(d, DEC_ERROR, -1, vap_strdup("out of memory"), NULL);
        return;
    }
    size_t first = d->n;
    for (size_t i = 0; i < p->nvalidations; i++) {
        const vap_validation *v = &p->validations[i];
        cel_value r = vap_run_expr(run, &v->expr);
        vap_observe(run, VAP_EXPR_VALIDATION, i, r);
        if (is_budget(r)) {
            for (size_t k = first; k < d->n; k++)
                free(d->v[k].message);
            d->n = first;
            decs_add(d, DEC_ERROR, -1, vap_strdup(BUDGET_TEXT), NULL);
            return;
        }
        if (r.kind == CEL_ERROR)
            decs_add(d, DEC_ERROR, (int)i, expr_error(&v->expr, r), NULL);
        else if (r.kind != CEL_BOOL || !r.u.b) /* anything but true fails */
            decs_add(d, DEC_DENY, (int)i, NULL, v->reason);
        else
            decs_add(d, DEC_ADMIT, (int)i, NULL, NULL);
    }

    /* messageExpressions: all of them, eagerly, with what is left of the
     * budget and a fresh variable cache */
    if (group_init(run, &gm) < 0)
        return;
    cel_value *msgs = p->nvalidations ? cel_arena_alloc(run->arena, p->nvalidations * sizeof *msgs) : NULL;
    const char *abort_msg = NULL;
    for (size_t i = 0; i < p->nvalidations; i++) {
        if (msgs)
            msgs[i] = cel_null();
        const vap_validation *v = &p->validations[i];
        if (!v->msg_expr.prog || !msgs)
            continue;
        msgs[i] = be->eval(v->msg_expr.prog, run);
        if (is_budget(msgs[i])) {
            abort_msg = BUDGET_TEXT;
            break;
        }
    }
    for (size_t k = first; k < d->n; k++) {
        dec *x = &d->v[k];
        if (abort_msg && x->kind != DEC_ERROR) {
            x->kind = DEC_ERROR;
            x->reason = NULL;
            free(x->message);
            x->message = vap_asprintf("failed messageExpression: %s", abort_msg);
        } else if (x->kind == DEC_DENY) {
            x->message = failure_message(&p->validations[x->index], msgs ? msgs[x->index] : cel_null());
        }
    }

    /* auditAnnotations: a fresh budget, whether or not validations failed.
     * Values are kept aside until the pass completes: running out of budget
     * makes upstream's Validate return that one error decision instead of
     * the whole result (validator.go), dropping the validations' decisions
     * and every value. */
    run->budgets[2] = VAP_RUNTIME_BUDGET;
    run->budget = &run->budgets[2];
    if (group_init(run, &gu) < 0)
        return;
    json_t *values = json_array(); /* [key, value] pairs, in order */
    for (size_t i = 0; i < p->naudits; i++) {
        const vap_named_expr *a = &p->audits[i];
        cel_value r = vap_run_expr(run, &a->expr);
        if (is_budget(r)) {
            for (size_t k = first; k < d->n; k++)
                free(d->v[k].message);
            d->n = first;
            decs_add(d, DEC_ERROR, -1, vap_strdup(BUDGET_TEXT), NULL);
            decs_clear(audit_errs);
            json_decref(values);
            return;
        }
        if (r.kind == CEL_NULL)
            continue;
        if (r.kind == CEL_STRING) {
            char *t = trimmed(r.u.str, r.len);
            if (t && *t && strlen(t) > VAP_MAX_AUDIT_VALUE_LEN)
                t = cut_value(t);
            if (t && *t)
                json_array_append_new(values, json_pack("[s, s?]", a->name, t));
            free(t);
            continue;
        }
        /* An evaluation error follows failurePolicy (DEC_ERROR); a value of
         * another type is an error under either (DEC_DENY here). */
        if (r.kind == CEL_ERROR)
            decs_add(audit_errs, DEC_ERROR, (int)i, expr_error(&a->expr, r), NULL);
        else
            decs_add(audit_errs, DEC_DENY, (int)i,
                     vap_asprintf("valueExpression '%s' resulted in unsupported return type: %s. "
                                  "Return type must be either string or null.",
                                  a->expr.src, r.kind == CEL_BOOL ? "bool" : r.kind == CEL_INT ? "int"
                                  : r.kind == CEL_UINT ? "uint" : r.kind == CEL_DOUBLE ? "double"
                                  : r.kind == CEL_LIST ? "list" : r.kind == CEL_MAP ? "map" : "dyn"),
                     NULL);
    }
    /* distinct values per key, across bindings and params */
    size_t k;
    json_t *pair;
    json_array_foreach(values, k, pair) {
        const char *key = json_string_value(json_array_get(pair, 0));
        const char *t = json_string_value(json_array_get(pair, 1));
        if (!key || !t)
            continue;
        json_t *vals = json_object_get(annots, key);
        if (!vals && json_object_set_new(annots, key, vals = json_array()) < 0)
            vals = NULL;
        bool dup = false;
        size_t j;
        json_t *v;
        json_array_foreach(vals, j, v)
            dup |= !strcmp(json_string_value(v), t);
        if (vals && !dup)
            json_array_append_new(vals, json_string(t));
    }
    json_decref(values);
}

/* ---------------------------------------------------------------- enforcement */

static void enforce(review *r, const vap_policy *p, const vap_binding *b, decs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        dec *x = &d->v[i];
        if (x->kind == DEC_ADMIT) {
            record(r, p->name, b->name, x->index, "admit", error_type_of(true, NULL), false, NULL);
            continue;
        }
        const char *msg = x->message ? x->message : "";
        const char *etype = error_type_of(false, msg);
        bool errored = x->kind == DEC_ERROR;
        if (x->kind == DEC_ERROR && !p->fail) {
            record(r, p->name, b->name, x->index, "error-ignored", etype, errored, msg);
            continue;
        }
        if (b->actions & VAP_ACT_DENY) {
            deny(r, p->name, b->name, x->kind == DEC_DENY ? x->reason : NULL, msg);
            record(r, p->name, b->name, x->index, "deny", etype, errored, msg);
        }
        if (b->actions & VAP_ACT_WARN) {
            add_warning(r, vap_asprintf("Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s': %s",
                                        p->name, b->name, msg));
            record(r, p->name, b->name, x->index, "warn", etype, errored, msg);
        }
        if (b->actions & VAP_ACT_AUDIT) {
            /* Upstream publishes each failure as a one-element list under one
             * annotation key, and admission annotations cannot be
             * overwritten: the first audited failure of the request stays. */
            if (json_array_size(r->failures) == 0) {
                json_t *acts = json_array();
                for (size_t k = 0; k < b->nactions; k++)
                    json_array_append_new(acts, json_string(b->action_names[k]));
                json_array_append_new(r->failures,
                                      json_pack("{s:s, s:s, s:s, s:i, s:o}", "message", msg, "policy", p->name,
                                                "binding", b->name, "expressionIndex", x->index < 0 ? 0 : x->index, "validationActions",
                                                acts));
            }
            record(r, p->name, b->name, x->index, "audit", etype, errored, msg);
        }
    }
}

/* A configuration error denies under Fail whatever the actions say, and is
 * forgotten under Ignore. */
static void config_error(review *r, const vap_policy *p, const vap_binding *b, const char *err)
{
    char *msg = b ? vap_asprintf("failed to configure binding: %s", err)
                  : vap_asprintf("failed to configure policy: %s", err);
    if (!msg) {
        r->oom = true;
        return;
    }
    if (p->fail) {
        deny(r, p->name, b ? b->name : NULL, NULL, msg);
        record(r, p->name, b ? b->name : NULL, -1, "deny", "config_error", true, msg);
    } else {
        record(r, p->name, b ? b->name : NULL, -1, "error-ignored", "config_error", true, msg);
    }
    free(msg);
}

/* An auditAnnotation that failed: a denial whatever the actions, under
 * Fail for an evaluation error and under either failurePolicy for a value
 * of another type (always); nothing otherwise. */
static void audit_error(review *r, const vap_policy *p, const vap_binding *b, const char *msg, bool always)
{
    if (!msg)
        return;
    if (p->fail || always) {
        deny(r, p->name, b->name, NULL, msg);
        record(r, p->name, b->name, -1, "deny", error_type_of(false, msg), true, msg);
    } else {
        record(r, p->name, b->name, -1, "error-ignored", error_type_of(false, msg), true, msg);
    }
}

/* ---------------------------------------------------------------- params */

static bool object_is(const vap_object *o, const vap_policy *p)
{
    return !strcmp(o->api_version, p->param_api_version) && !strcmp(o->kind, p->param_kind);
}

/* Collects the param objects of a binding. Returns 0 with *n params (which
 * may be 0), or -1 with *err. */
static int collect_params(const vap_set *s, const vap_policy *p, const vap_binding *b, const vap_request *rq,
                          const json_t ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    /* The scope of the paramKind: the API server asks its REST mapping;
     * here the objects loaded tell, and common core kinds are known. */
    static const char *const core_namespaced[] = {"ConfigMap", "Secret", "ServiceAccount", "LimitRange",
                                                  "ResourceQuota", "Service", "Pod"};
    bool namespaced = false, any = false;
    if (!strcmp(p->param_api_version, "v1"))
        for (size_t i = 0; i < sizeof core_namespaced / sizeof core_namespaced[0]; i++)
            if (!strcmp(p->param_kind, core_namespaced[i]))
                namespaced = any = true;
    for (size_t i = 0; i < s->nobjects; i++)
        if (object_is(&s->objects[i], p)) {
            any = true;
            namespaced |= s->objects[i].namespace_[0] != '\0';
        }
    const char *ns = "";
    if (namespaced) {
        ns = b->param_namespace ? b->param_namespace : rq->namespace_;
        if (!*ns) {
            *err = vap_strdup("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources");
            return -1;
        }
    } else if (any && b->param_namespace) {
        *err = vap_strdup("paramRef.namespace must not be provided for a cluster-scoped `paramKind`");
        return -1;
    } else if (b->param_namespace) {
        ns = b->param_namespace;
    }
    const json_t **list = calloc(s->nobjects ? s->nobjects : 1, sizeof *list);
    if (!list) {
        *err = vap_strdup("out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->nobjects; i++) {
        const vap_object *o = &s->objects[i];
        if (!object_is(o, p) || strcmp(o->namespace_, ns))
            continue;
        if (b->param_name ? !strcmp(o->name, b->param_name)
                          : vap_selector_matches(b->param_selector,
                                                 json_object_get(json_object_get(o->doc, "metadata"), "labels")))
            list[(*n)++] = o->doc;
    }
    *out = list;
    return 0;
}

/* ---------------------------------------------------------------- policies */

/* The object as the matched version sees it: the equivalent resources
 * share one schema, so conversion is the apiVersion. */
static json_t *as_version(const json_t *obj, const vap_gvr *as, const vap_gvr *orig)
{
    if (!obj || (!strcmp(as->group, orig->group) && !strcmp(as->version, orig->version)))
        return obj ? json_incref((json_t *)obj) : NULL;
    json_t *c = json_deep_copy(obj);
    char *av = *as->group ? vap_asprintf("%s/%s", as->group, as->version) : vap_strdup(as->version);
    if (c && av)
        json_object_set_new(c, "apiVersion", json_string(av));
    free(av);
    return c;
}

static void review_binding(review *r, const vap_policy *p, const vap_binding *b, const vap_gvr *as,
                           json_t *annots)
{
    const vap_request *rq = r->rq;
    if (b->match.present) {
        vap_match m;
        vap_match_resources_eval(&b->match, rq, r->set, &m);
        if (m.err) {
            config_error(r, p, b, m.err);
            free(m.err);
            return;
        }
        if (!m.matched)
            return;
    }
    const json_t **params = NULL;
    size_t nparams = 0;
    const json_t *nullp = NULL;
    if (p->has_param_kind && b->has_param_ref) {
        char *err = NULL;
        if (collect_params(r->set, p, b, rq, &params, &nparams, &err) < 0) {
            config_error(r, p, b, err);
            free(err);
            return;
        }
        if (nparams == 0) {
            free(params);
            if (b->param_not_found_deny)
                config_error(r, p, b, "no params found for policy binding with `Deny` parameterNotFoundAction");
            else
                record(r, p->name, b->name, -1, "skip", NULL, false, "no params found");
            return;
        }
    } else {
        params = &nullp;
        nparams = 1;
    }

    vap_reqdoc reqdoc = {0};
    json_t *obj = as_version(rq->object, as, &rq->gvr);
    json_t *old = as_version(rq->old_object, as, &rq->gvr);
    for (size_t k = 0; k < nparams; k++) {
        vap_run run = {
            .policy = p, .arena = r->arena, .rq = rq, .as = as, .reqdoc = &reqdoc, .object = obj,
            .old_object = old, .params = params[k], .namespace_obj = rq->namespace_obj, .authz = r->authz,
            .cost_limit = VAP_PER_CALL_LIMIT, .obs = r->obs, .set = r->set,
            .policy_index = (size_t)(p - r->set->policies),
        };
        char *err = NULL;
        decs d = {0}, audit_errs = {0};
        int mc = match_conditions(&run, &err, NULL);
        if (mc == 0) {
            record(r, p->name, b->name, -1, "skip", NULL, false, "matchConditions not met");
            continue;
        }
        if (mc < 0)
            decs_add(&d, DEC_ERROR, -1, err, NULL);
        else
            evaluate_one(&run, &d, &audit_errs, annots);
        enforce(r, p, b, &d);
        for (size_t i = 0; i < audit_errs.n; i++)
            audit_error(r, p, b, audit_errs.v[i].message, audit_errs.v[i].kind == DEC_DENY);
        decs_clear(&d);
        decs_clear(&audit_errs);
    }
    json_decref(reqdoc.doc);
    json_decref(obj);
    json_decref(old);
    if (params != &nullp)
        free(params);
}

/* "<policy>/<key>": the distinct values of every binding and param,
 * joined with ", " when there are several. Returns -1 out of memory. */
static int publish_annotations(json_t *dst, const vap_policy *p, json_t *annots)
{
    const char *key;
    json_t *vals;
    json_object_foreach(annots, key, vals) {
        size_t total = 0, i;
        json_t *v;
        json_array_foreach(vals, i, v)
            total += json_string_length(v) + 2;
        char *joined = malloc(total + 1), *w = joined;
        char *full = vap_asprintf("%s/%s", p->name, key);
        if (!joined || !full) {
            free(joined);
            free(full);
            return -1;
        }
        json_array_foreach(vals, i, v) {
            if (i) {
                memcpy(w, ", ", 2);
                w += 2;
            }
            memcpy(w, json_string_value(v), json_string_length(v));
            w += json_string_length(v);
        }
        *w = '\0';
        json_object_set_new(dst, full, json_string(joined));
        free(joined);
        free(full);
    }
    return 0;
}

/* Requests no API-defined policy sees: the admission configuration
 * resources (generic/plugin.go admissionResources) and the non-persisted
 * reviews (kubeapiserver/admission/exclusion/resources.go), by group and
 * resource, any version. */
static bool is_exempt_resource(const vap_request *rq)
{
    static const char *const exempt[][2] = {
        {"admissionregistration.k8s.io", "validatingadmissionpolicies"},
        {"admissionregistration.k8s.io", "validatingadmissionpolicybindings"},
        {"admissionregistration.k8s.io", "mutatingadmissionpolicies"},
        {"admissionregistration.k8s.io", "mutatingadmissionpolicybindings"},
        {"authentication.k8s.io", "selfsubjectreviews"},
        {"authentication.k8s.io", "tokenreviews"},
        {"authorization.k8s.io", "localsubjectaccessreviews"},
        {"authorization.k8s.io", "selfsubjectaccessreviews"},
        {"authorization.k8s.io", "selfsubjectrulesreviews"},
        {"authorization.k8s.io", "subjectaccessreviews"},
    };
    for (size_t i = 0; i < sizeof exempt / sizeof exempt[0]; i++)
        if (!strcmp(rq->gvr.group, exempt[i][0]) && !strcmp(rq->gvr.resource, exempt[i][1]))
            return true;
    return false;
}

/* The request's Namespace: the one loaded with the policies, else one
 * carrying the label the API server gives every namespace. */
static json_t *namespace_object(const vap_set *s, const vap_request *rq)
{
    /* A Namespace request carries its own name as namespace; upstream
     * unsets it, so namespaceObject is null there. */
    if (!*rq->namespace_ || (!strcmp(rq->gvr.group, "") && !strcmp(rq->gvr.version, "v1") &&
                             rq->gvr.kind && !strcmp(rq->gvr.kind, "Namespace")))
        return NULL;
    for (size_t i = 0; i < s->nnamespaces; i++)
        if (!strcmp(s->namespaces[i].name, rq->namespace_))
            return json_incref(s->namespaces[i].doc);
    return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "apiVersion", "v1", "kind", "Namespace", "metadata", "name",
                     rq->namespace_, "labels", "kubernetes.io/metadata.name", rq->namespace_);
}

/* The Namespace expressions see: the caller's, when given. */
static json_t *request_namespace(const vap_set *s, const vap_request *rq, const vap_eval_opts *o)
{
    if (o && o->namespace_given)
        return o->namespace_object ? json_incref((json_t *)o->namespace_object) : NULL;
    return namespace_object(s, rq);
}

int vap_evaluate(const vap_set *s, const json_t *request, const vap_authorizer *authz, vap_outcome *out,
                 char **err)
{
    vap_eval_opts o = {.authz = authz};
    return vap_evaluate_opts(s, request, &o, out, err);
}

int vap_evaluate_opts(const vap_set *s, const json_t *request, const vap_eval_opts *o, vap_outcome *out,
                      char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    vap_request rq;
    if (vap_request_decode(request, &rq, err) < 0)
        return -1;
    json_t *ns = request_namespace(s, &rq, o);
    rq.namespace_obj = ns;
    out->allowed = true;
    out->audit_annotations = json_object();
    review r = {s, &rq, o ? o->authz : NULL, cel_arena_new(0), out, false, json_array(), false,
                o ? o->observer : NULL};
    if (!r.arena || !r.failures || !out->audit_annotations) {
        cel_arena_free(r.arena);
        json_decref(r.failures);
        json_decref(ns);
        vap_outcome_clear(out);
        *err = vap_strdup("out of memory");
        return -1;
    }
    cel_arena_set_limit(r.arena, 256u << 20);
    if (!is_exempt_resource(&rq)) {
        for (size_t i = 0; i < s->npolicies; i++) {
            const vap_policy *p = &s->policies[i];
            vap_match m;
            vap_match_resources_eval(&p->constraints, &rq, s, &m);
            if (m.err) {
                config_error(&r, p, NULL, m.err);
                free(m.err);
                continue;
            }
            if (!m.matched)
                continue;
            json_t *annots = json_object();
            if (!annots) {
                r.oom = true;
                break;
            }
            for (size_t j = 0; j < s->nbindings; j++)
                if (!strcmp(s->bindings[j].policy_name, p->name))
                    review_binding(&r, p, &s->bindings[j], &m.as, annots);
            if (publish_annotations(out->audit_annotations, p, annots) < 0)
                r.oom = true;
            json_decref(annots);
        }
    }
    if (json_array_size(r.failures)) {
        char *f = json_dumps(r.failures, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (f)
            json_object_set_new(out->audit_annotations, "validation.policy.admission.k8s.io/validation_failure",
                                json_string(f));
        free(f);
    }
    out->allowed = !r.denied;
    json_decref(r.failures);
    cel_arena_free(r.arena);
    json_decref(ns);
    if (r.oom) {
        vap_outcome_clear(out);
        *err = vap_strdup("out of memory");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- one policy, unmatched */

static int result_add(vap_eval_decision **v, size_t *n, vap_eval_kind kind, int index, const char *message,
                      const char *reason)
{
    vap_eval_decision *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *v = nv;
    nv[*n] = (vap_eval_decision){kind, index, vap_strdup(message), vap_strdup(reason)};
    (*n)++;
    return 0;
}

int vap_evaluate_policy(const vap_set *s, size_t policy, const json_t *request, const json_t *params,
                        const vap_eval_opts *o, vap_policy_result *out, char **err)
{
    memset(out, 0, sizeof *out);
    *err = NULL;
    if (!s || policy >= s->npolicies) {
        *err = vap_strdup("no such policy");
        return -1;
    }
    vap_request rq;
    if (vap_request_decode(request, &rq, err) < 0)
        return -1;
    const vap_policy *p = &s->policies[policy];
    json_t *ns = request_namespace(s, &rq, o);
    rq.namespace_obj = ns;
    cel_arena *arena = cel_arena_new(0);
    vap_reqdoc reqdoc = {0};
    out->audit_annotations = json_object();
    json_t *annots = json_object();
    bool oom = !arena || !out->audit_annotations || !annots;
    if (!oom) {
        cel_arena_set_limit(arena, 256u << 20);
        vap_run run = {
            .policy = p, .arena = arena, .rq = &rq, .as = &rq.gvr, .reqdoc = &reqdoc, .object = rq.object,
            .old_object = rq.old_object, .params = params, .namespace_obj = ns, .authz = o ? o->authz : NULL,
            .cost_limit = VAP_PER_CALL_LIMIT, .obs = o ? o->observer : NULL, .set = s, .policy_index = policy,
        };
        char *cerr = NULL;
        const char *failed = NULL;
        out->conditions = match_conditions(&run, &cerr, &failed);
        if (out->conditions == 0)
            oom |= failed && !(out->failed_condition = vap_strdup(failed));
        else if (out->conditions < 0)
            out->condition_error = cerr;
        if (out->conditions == 1) {
            decs d = {0}, audit_errs = {0};
            evaluate_one(&run, &d, &audit_errs, annots);
            for (size_t i = 0; i < d.n; i++) {
                const dec *x = &d.v[i];
                vap_eval_kind k = x->kind == DEC_ADMIT ? VAP_EVAL_ADMIT : x->kind == DEC_DENY ? VAP_EVAL_DENY
                                                                                             : VAP_EVAL_ERROR;
                const char *reason = x->kind == DEC_DENY ? (x->reason && *x->reason ? x->reason : "Invalid") : NULL;
                oom |= result_add(&out->decisions, &out->ndecisions, k, x->index, x->message, reason) < 0;
            }
            for (size_t i = 0; i < audit_errs.n; i++)
                oom |= result_add(&out->audit_errors, &out->naudit_errors, VAP_EVAL_ERROR, audit_errs.v[i].index,
                                  audit_errs.v[i].message, NULL) < 0;
            oom |= publish_annotations(out->audit_annotations, p, annots) < 0;
            decs_clear(&d);
            decs_clear(&audit_errs);
        }
    }
    json_decref(annots);
    json_decref(reqdoc.doc);
    json_decref(ns);
    cel_arena_free(arena);
    if (oom) {
        vap_policy_result_clear(out);
        *err = vap_strdup("out of memory");
        return -1;
    }
    return 0;
}

void vap_policy_result_clear(vap_policy_result *r)
{
    if (!r)
        return;
    free(r->failed_condition);
    free(r->condition_error);
    for (size_t i = 0; i < r->ndecisions; i++) {
        free(r->decisions[i].message);
        free(r->decisions[i].reason);
    }
    free(r->decisions);
    for (size_t i = 0; i < r->naudit_errors; i++)
        free(r->audit_errors[i].message);
    free(r->audit_errors);
    json_decref(r->audit_annotations);
    memset(r, 0, sizeof *r);
}
