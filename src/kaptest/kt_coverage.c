/*
 * kt_coverage.c: what a test run exercised. The engine's observer reports
 * each evaluated validation, matchCondition and variable with what it
 * gave (true, false, another value, an error); counts are kept per policy
 * (file and name, so that manifests sharing a policy add up), and the
 * report lists, for each expression, how often it ran and which outcomes
 * it was never seen to have: what the suite does not test.
 */
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

static const vap_expr_kind kinds[] = {VAP_EXPR_CONDITION, VAP_EXPR_VARIABLE, VAP_EXPR_VALIDATION};
static const char *const kind_names[VAP_EXPR_KINDS] = {
    [VAP_EXPR_VALIDATION] = "validations", [VAP_EXPR_MESSAGE] = "messageExpressions",
    [VAP_EXPR_CONDITION] = "matchConditions", [VAP_EXPR_VARIABLE] = "variables",
    [VAP_EXPR_AUDIT] = "auditAnnotations"};

typedef struct cov_expr {
    char *name;       /* matchCondition or variable name */
    char *expression;
    bool boolean;     /* validations and conditions are bool; a variable is when seen so */
    unsigned long evals, n_true, n_false, n_value, n_error;
} cov_expr;

typedef struct cov_policy {
    char *name, *file;
    int line;
    cov_expr *e[VAP_EXPR_KINDS];
    size_t n[VAP_EXPR_KINDS];
} cov_policy;

struct kt_coverage {
    cov_policy *p;
    size_t n;
};

struct kt_cov_binding {
    kt_coverage *c;
    size_t *map; /* set policy index -> coverage policy index */
    size_t n;
};

kt_coverage *kt_coverage_new(void)
{
    return calloc(1, sizeof(kt_coverage));
}

void kt_coverage_free(kt_coverage *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        for (int k = 0; k < VAP_EXPR_KINDS; k++) {
            for (size_t j = 0; j < c->p[i].n[k]; j++) {
                free(c->p[i].e[k][j].name);
                free(c->p[i].e[k][j].expression);
            }
            free(c->p[i].e[k]);
        }
        free(c->p[i].name);
        free(c->p[i].file);
    }
    free(c->p);
    free(c);
}

static void seen(void *ctx, const vap_set *s, size_t policy, vap_expr_kind kind, size_t index, unsigned what)
{
    kt_cov_binding *b = ctx;
    if (policy >= b->n || b->map[policy] == (size_t)-1 || kind >= VAP_EXPR_KINDS)
        return;
    cov_policy *p = &b->c->p[b->map[policy]];
    if (index >= p->n[kind])
        return;
    cov_expr *e = &p->e[kind][index];
    e->evals++;
    if (what & VAP_SEEN_TRUE)
        e->n_true++, e->boolean = true;
    if (what & VAP_SEEN_FALSE)
        e->n_false++, e->boolean = true;
    if (what & VAP_SEEN_VALUE)
        e->n_value++;
    if (what & VAP_SEEN_ERROR)
        e->n_error++;
}

static long find_or_add(kt_coverage *c, const vap_set *s, size_t i)
{
    vap_policy_info pi;
    if (vap_set_policy_info(s, i, &pi) < 0)
        return -1;
    for (size_t k = 0; k < c->n; k++)
        if (!strcmp(c->p[k].name, pi.name) && !strcmp(c->p[k].file, pi.file))
            return (long)k;
    cov_policy *np = realloc(c->p, (c->n + 1) * sizeof *np);
    if (!np)
        return -1;
    c->p = np;
    cov_policy *p = &c->p[c->n];
    memset(p, 0, sizeof *p);
    p->name = kt_strdup(pi.name);
    p->file = kt_strdup(pi.file);
    p->line = pi.line;
    for (int k = 0; k < VAP_EXPR_KINDS; k++) {
        size_t n = pi.count[k];
        p->e[k] = calloc(n ? n : 1, sizeof *p->e[k]);
        if (!p->e[k])
            continue;
        p->n[k] = n;
        for (size_t j = 0; j < n; j++) {
            vap_expr_info ei;
            if (vap_set_expr_info(s, i, (vap_expr_kind)k, j, &ei) == 0) {
                p->e[k][j].name = kt_strdup(ei.name);
                p->e[k][j].expression = kt_strdup(ei.expression);
                p->e[k][j].boolean = k == VAP_EXPR_VALIDATION || k == VAP_EXPR_CONDITION;
            }
        }
    }
    return (long)c->n++;
}

kt_cov_binding *kt_coverage_bind(kt_coverage *c, const vap_set *s, vap_observer *obs)
{
    kt_cov_binding *b = calloc(1, sizeof *b);
    size_t n = vap_set_policy_count(s);
    if (!b || !(b->map = calloc(n ? n : 1, sizeof *b->map))) {
        free(b);
        return NULL;
    }
    b->c = c;
    b->n = n;
    for (size_t i = 0; i < n; i++) {
        long k = find_or_add(c, s, i);
        b->map[i] = k < 0 ? (size_t)-1 : (size_t)k;
    }
    obs->seen = seen;
    obs->ctx = b;
    return b;
}

void kt_cov_binding_free(kt_cov_binding *b)
{
    if (b)
        free(b->map);
    free(b);
}

/* The outcomes never seen, e.g. "false, error"; "" when all were. */
static void never(const cov_expr *e, kt_buf *b)
{
    const char *sep = "";
    if (e->evals == 0) {
        kt_buf_addf(b, "never evaluated");
        return;
    }
    if (e->boolean) {
        if (!e->n_true)
            kt_buf_addf(b, "%strue", sep), sep = ", ";
        if (!e->n_false)
            kt_buf_addf(b, "%sfalse", sep), sep = ", ";
    }
    if (!e->n_error)
        kt_buf_addf(b, "%serror", sep);
}

static void label(const cov_expr *e, int kind, size_t j, kt_buf *b)
{
    kt_buf_addf(b, "%s[%zu]", kind_names[kind], j);
    if (e->name)
        kt_buf_addf(b, " %s", e->name);
}

void kt_coverage_text(const kt_coverage *c, FILE *out)
{
    fprintf(out, "Coverage:\n");
    size_t total = 0, gaps = 0;
    for (size_t i = 0; i < c->n; i++) {
        const cov_policy *p = &c->p[i];
        fprintf(out, "  %s (%s:%d)\n", p->name, p->file, p->line);
        for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
            int k = kinds[ki];
            for (size_t j = 0; j < p->n[k]; j++) {
                const cov_expr *e = &p->e[k][j];
                kt_buf l = {0}, nv = {0};
                label(e, k, j, &l);
                never(e, &nv);
                fprintf(out, "    %-46s evaluated %lu", kt_buf_str(&l), e->evals);
                if (e->boolean)
                    fprintf(out, ", true %lu, false %lu", e->n_true, e->n_false);
                else
                    fprintf(out, ", value %lu", e->n_value);
                fprintf(out, ", error %lu", e->n_error);
                if (e->evals == 0)
                    fprintf(out, "  -- never evaluated");
                else if (nv.n)
                    fprintf(out, "  -- never seen: %s", kt_buf_str(&nv));
                fputc('\n', out);
                total++;
                gaps += nv.n > 0;
                free(l.s);
                free(nv.s);
            }
        }
    }
    fprintf(out, "%zu expressions, %zu with outcomes never seen\n", total, gaps);
}

json_t *kt_coverage_json(const kt_coverage *c)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < c->n; i++) {
        const cov_policy *p = &c->p[i];
        json_t *jp = json_pack("{s:o, s:o, s:i}", "policy", kt_json_string(p->name), "file", kt_json_string(p->file),
                               "line", p->line);
        for (size_t ki = 0; jp && ki < sizeof kinds / sizeof kinds[0]; ki++) {
            int k = kinds[ki];
            json_t *list = json_array();
            for (size_t j = 0; list && j < p->n[k]; j++) {
                const cov_expr *e = &p->e[k][j];
                kt_buf nv = {0};
                never(e, &nv);
                json_t *je = json_pack("{s:I, s:o, s:I, s:I}", "index", (json_int_t)j, "expression",
                                       kt_json_string(e->expression), "evaluated", (json_int_t)e->evals, "error",
                                       (json_int_t)e->n_error);
                if (je && e->name)
                    json_object_set_new(je, "name", kt_json_string(e->name));
                if (je && e->boolean) {
                    json_object_set_new(je, "true", json_integer((json_int_t)e->n_true));
                    json_object_set_new(je, "false", json_integer((json_int_t)e->n_false));
                } else if (je) {
                    json_object_set_new(je, "value", json_integer((json_int_t)e->n_value));
                }
                if (je)
                    json_object_set_new(je, "neverSeen", kt_json_string(kt_buf_str(&nv)));
                free(nv.s);
                json_array_append_new(list, je);
            }
            json_object_set_new(jp, kind_names[k], list);
        }
        json_array_append_new(arr, jp);
    }
    return arr;
}
