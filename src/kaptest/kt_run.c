/*
 * kt_run.c: one manifest, case by case. Its policies are loaded into one
 * set (compile errors kept, so that they surface per case as kaptest
 * reports them; invalid policies reported and left out), its resources
 * indexed, and each case evaluated in one of two ways:
 *
 *   kaptest's (the default): the suite's policy alone on the request, no
 *   matchConstraints, bindings, validationActions or failurePolicy. A
 *   false matchCondition is a skip (nothing else runs); an erring one is
 *   an error, except under failurePolicy Ignore, which kaptest's matcher
 *   does apply: a skip. Otherwise the validations decide: error if one
 *   erred, else deny if one failed, else admit (auditAnnotations aside);
 *
 *   evaluateMatch: the whole admission as the API server runs it, with
 *   the bindings, params and Namespaces of the policy files and resources;
 *   the verdict is the suite policy's part in it.
 *
 * Every result keeps kaptest's detail lines (--- DENY / --- ERROR /
 * --- NOT MATCH) and celgate's pointers: the case in the manifest, and
 * the expression in the policy file with a caret for CEL errors.
 */
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

static const char *const field_lists[VAP_EXPR_KINDS] = {
    [VAP_EXPR_VALIDATION] = "validations", [VAP_EXPR_MESSAGE] = "validations",
    [VAP_EXPR_CONDITION] = "matchConditions", [VAP_EXPR_VARIABLE] = "variables",
    [VAP_EXPR_AUDIT] = "auditAnnotations"};
static const char *const field_keys[VAP_EXPR_KINDS] = {
    [VAP_EXPR_VALIDATION] = "expression", [VAP_EXPR_MESSAGE] = "messageExpression",
    [VAP_EXPR_CONDITION] = "expression", [VAP_EXPR_VARIABLE] = "expression",
    [VAP_EXPR_AUDIT] = "valueExpression"};

static kt_result *new_result(kt_file_result *fr)
{
    kt_result *nv = realloc(fr->cases, (fr->ncases + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    fr->cases = nv;
    kt_result *r = &fr->cases[fr->ncases++];
    memset(r, 0, sizeof *r);
    return r;
}

/* "<input>:L:C:" in a CEL compile error. */
static bool cel_position(const char *msg, int *line, int *col)
{
    const char *p = msg ? strstr(msg, "<input>:") : NULL;
    return p && sscanf(p, "<input>:%d:%d:", line, col) == 2;
}

/* The first line of a compile error, without the snippet cel-go adds. */
static char *first_issue(const char *msg)
{
    const char *p = strstr(msg, "ERROR: <input>:");
    const char *from = p ? p : msg;
    const char *nl = strchr(from, '\n');
    return nl ? kt_strndup(from, (size_t)(nl - from)) : kt_strdup(from);
}

/* Points at one expression of the policy: at the CEL error's own position
 * for a compile error, at the expression's start otherwise. */
static void point_expr(kt_strlist *lines, const vap_set *s, size_t pidx, vap_expr_kind kind, size_t idx,
                       bool snippet)
{
    vap_policy_info pi;
    vap_expr_info ei;
    if (vap_set_policy_info(s, pidx, &pi) < 0 || vap_set_expr_info(s, pidx, kind, idx, &ei) < 0 || !ei.present)
        return;
    char field[96];
    snprintf(field, sizeof field, "spec.%s[%zu].%s", field_lists[kind], idx, field_keys[kind]);
    int el = 1, ec = 1, line, col;
    bool at_error = ei.compile_error && cel_position(ei.compile_error, &el, &ec);
    kt_expr_to_file(pi.file, ei.line, ei.column, ei.expression, el, ec, &line, &col);
    if (ei.compile_error) {
        char *issue = first_issue(ei.compile_error);
        char *what = kt_asprintf("%s: %s%s", field, issue ? issue : "",
                                 at_error ? "" : " (the API server refuses such a policy on write)");
        kt_point(lines, pi.file, line, col, what ? what : field, true);
        free(what);
        free(issue);
    } else {
        kt_point(lines, pi.file, line, col, field, snippet);
    }
}

static long variable_index(const vap_set *s, size_t pidx, const char *name, size_t n)
{
    vap_policy_info pi;
    if (vap_set_policy_info(s, pidx, &pi) < 0)
        return -1;
    for (size_t i = 0; i < pi.count[VAP_EXPR_VARIABLE]; i++) {
        vap_expr_info ei;
        if (vap_set_expr_info(s, pidx, VAP_EXPR_VARIABLE, i, &ei) == 0 && ei.name && strlen(ei.name) == n &&
            !strncmp(ei.name, name, n))
            return (long)i;
    }
    return -1;
}

/* An error message may name variables that failed: point at them too. */
static void point_variables(kt_strlist *lines, const vap_set *s, size_t pidx, const char *msg)
{
    static const char tag[] = "composited variable \"";
    for (const char *p = msg ? strstr(msg, tag) : NULL; p; p = strstr(p + 1, tag)) {
        const char *name = p + sizeof tag - 1, *end = strchr(name, '"');
        if (!end)
            break;
        long i = variable_index(s, pidx, name, (size_t)(end - name));
        if (i >= 0)
            point_expr(lines, s, pidx, VAP_EXPR_VARIABLE, (size_t)i, true);
    }
}

static void point_conditions(kt_strlist *lines, const vap_set *s, size_t pidx, const char *msg)
{
    vap_policy_info pi;
    if (vap_set_policy_info(s, pidx, &pi) < 0)
        return;
    for (size_t i = 0; i < pi.count[VAP_EXPR_CONDITION]; i++) {
        vap_expr_info ei;
        if (vap_set_expr_info(s, pidx, VAP_EXPR_CONDITION, i, &ei) < 0)
            continue;
        char *needle = kt_asprintf("expression '%s' resulted in error", ei.expression ? ei.expression : "");
        if (ei.compile_error || (needle && msg && strstr(msg, needle)))
            point_expr(lines, s, pidx, VAP_EXPR_CONDITION, i, true);
        free(needle);
    }
    point_variables(lines, s, pidx, msg);
}

static void decision_line(kt_strlist *lines, const char *kind, const char *reason, const char *message)
{
    char *r = kt_go_quote(reason ? reason : ""), *m = kt_go_quote(message ? message : "");
    kt_strlist_pushf(lines, "--- %s: reason %s, message %s", kind, r ? r : "", m ? m : "");
    free(r);
    free(m);
}

static json_t *validation_fact(const char *result, const char *message, const char *reason)
{
    json_t *o = json_pack("{s:s}", "result", result);
    if (o && message)
        json_object_set_new(o, "message", kt_json_string(message));
    if (o && reason)
        json_object_set_new(o, "reason", kt_json_string(reason));
    return o;
}

void kt_facts_clear(kt_facts *f)
{
    kt_strlist_clear(&f->messages);
    free(f->reason);
    json_decref(f->warnings);
    json_decref(f->audit);
    json_decref(f->validations);
    memset(f, 0, sizeof *f);
}

static json_t *decision_json(const char *evaluation, int index, const char *message, const char *reason)
{
    json_t *jd = json_pack("{s:s, s:i}", "evaluation", evaluation, "index", index);
    if (jd && message)
        json_object_set_new(jd, "message", kt_json_string(message));
    if (jd && reason)
        json_object_set_new(jd, "reason", kt_json_string(reason));
    return jd;
}

/* kaptest's evaluation of one case. */
static int eval_kaptest(kt_ctx *ctx, const vap_set *set, size_t pidx, const vap_policy_info *pi, const kt_case *c,
                        const vap_observer *obs, kt_result *r, kt_facts *fa, json_t *data, char **err)
{
    vap_eval_opts eo = {c->authz ? c->authz : ctx->stub_authz, true, c->namespace_obj, obs};
    vap_policy_result pr;
    if (vap_evaluate_policy(set, pidx, c->request, c->params, &eo, &pr, err) < 0)
        return -1;
    json_t *decs = json_array();
    const char *verdict = "admit";
    if (pr.conditions == 0) {
        verdict = "skip";
        char *n = kt_go_quote(pr.failed_condition ? pr.failed_condition : "");
        kt_strlist_pushf(&r->lines, "--- NOT MATCH: condition-name %s", n ? n : "");
        free(n);
    } else if (pr.conditions < 0 && pi->fail) {
        verdict = "error";
        kt_strlist_pushf(&r->lines, "--- ERROR: %s", pr.condition_error ? pr.condition_error : "");
        point_conditions(&r->lines, set, pidx, pr.condition_error);
        json_array_append_new(decs, decision_json("error", -1, pr.condition_error, NULL));
    } else if (pr.conditions < 0) {
        /* kaptest's matcher applies failurePolicy Ignore: not matched */
        verdict = "skip";
        kt_strlist_pushf(&r->lines, "--- NOT MATCH: condition-name \"\"");
        char *m = kt_go_quote(pr.condition_error ? pr.condition_error : "");
        kt_strlist_pushf(&r->lines, "--- matchConditions erred and failurePolicy Ignore skips the policy: %s",
                         m ? m : "");
        free(m);
        point_conditions(&r->lines, set, pidx, pr.condition_error);
    }
    bool stop = false;
    for (size_t i = 0; i < pr.ndecisions; i++) {
        const vap_eval_decision *d = &pr.decisions[i];
        const char *ev = d->kind == VAP_EVAL_ADMIT ? "admit" : d->kind == VAP_EVAL_DENY ? "deny" : "error";
        json_array_append_new(decs, decision_json(ev, d->index, d->message, d->reason));
        if (d->kind == VAP_EVAL_DENY) {
            if (!stop)
                verdict = "deny";
            decision_line(&r->lines, "DENY", d->reason, d->message);
            if (d->index >= 0)
                point_expr(&r->lines, set, pidx, VAP_EXPR_VALIDATION, (size_t)d->index, false);
            kt_strlist_push(&fa->messages, kt_strdup(d->message ? d->message : ""));
            if (!fa->reason)
                fa->reason = kt_strdup(d->reason);
        } else if (d->kind == VAP_EVAL_ERROR) {
            verdict = "error";
            stop = true; /* kaptest: the first error decides */
            decision_line(&r->lines, "ERROR", "", d->message);
            if (d->index >= 0)
                point_expr(&r->lines, set, pidx, VAP_EXPR_VALIDATION, (size_t)d->index, true);
            point_variables(&r->lines, set, pidx, d->message);
        }
        if (d->index >= 0 && (size_t)d->index < json_array_size(fa->validations))
            json_array_set_new(fa->validations, (size_t)d->index, validation_fact(ev, d->message, d->reason));
    }
    for (size_t i = 0; i < pr.naudit_errors; i++) {
        char *m = kt_go_quote(pr.audit_errors[i].message);
        kt_strlist_pushf(&r->lines, "--- AUDIT ANNOTATION ERROR (kaptest's verdict leaves it out): %s", m ? m : "");
        free(m);
        if (pr.audit_errors[i].index >= 0)
            point_expr(&r->lines, set, pidx, VAP_EXPR_AUDIT, (size_t)pr.audit_errors[i].index, true);
    }
    json_object_set_new(data, "decisions", decs);
    json_object_set(data, "auditAnnotations", pr.audit_annotations);
    fa->audit = json_incref(pr.audit_annotations);
    fa->warnings = json_array();
    fa->verdict = verdict;
    vap_policy_result_clear(&pr);
    return 0;
}

/* The admission as the API server runs it; the verdict is the policy's part. */
static int eval_match(kt_ctx *ctx, const vap_set *set, size_t pidx, const kt_case *c, const char *policy,
                      const vap_observer *obs, kt_result *r, kt_facts *fa, json_t *data, char **err)
{
    vap_eval_opts eo = {c->authz ? c->authz : ctx->stub_authz, true, c->namespace_obj, obs};
    vap_outcome out;
    if (vap_evaluate_opts(set, c->request, &eo, &out, err) < 0)
        return -1;
    bool any = false, erred = false, denied = false;
    json_t *decs = json_array();
    for (size_t i = 0; i < out.ndecisions; i++) {
        const vap_decision *d = &out.decisions[i];
        if (strcmp(d->policy, policy))
            continue;
        bool is_skip = !strcmp(d->action, "skip");
        any |= !is_skip;
        erred |= d->errored;
        denied |= !strcmp(d->action, "deny");
        char *act = kt_upper(d->action);
        char *b = kt_go_quote(d->binding ? d->binding : "");
        char *m = kt_go_quote(d->message ? d->message : "");
        kt_buf line = {0};
        kt_buf_addf(&line, "--- %s: binding %s", act ? act : "", b ? b : "");
        if (d->validation_index >= 0)
            kt_buf_addf(&line, ", validation %d", d->validation_index);
        if (d->errored && d->error_type)
            kt_buf_addf(&line, ", %s", d->error_type);
        if (d->message)
            kt_buf_addf(&line, ", message %s", m ? m : "");
        kt_strlist_push(&r->lines, kt_buf_take(&line));
        free(act);
        free(b);
        free(m);
        if (d->validation_index >= 0 && !is_skip && strcmp(d->action, "admit"))
            point_expr(&r->lines, set, pidx, VAP_EXPR_VALIDATION, (size_t)d->validation_index, d->errored);
        if (d->errored)
            point_variables(&r->lines, set, pidx, d->message);
        json_t *jd = json_pack("{s:s, s:i}", "action", d->action, "index", d->validation_index);
        if (jd && d->binding)
            json_object_set_new(jd, "binding", kt_json_string(d->binding));
        if (jd && d->errored && d->error_type)
            json_object_set_new(jd, "errorType", json_string(d->error_type));
        if (jd && d->message)
            json_object_set_new(jd, "message", kt_json_string(d->message));
        json_array_append_new(decs, jd);
        bool failed = !strcmp(d->action, "deny") || !strcmp(d->action, "warn") || !strcmp(d->action, "audit") ||
                      !strcmp(d->action, "error-ignored");
        if (failed && d->message)
            kt_strlist_push(&fa->messages, kt_strdup(d->message));
        if (d->validation_index >= 0 && (size_t)d->validation_index < json_array_size(fa->validations) &&
            !is_skip) {
            const char *res = d->errored ? "error" : failed ? "deny" : "admit";
            json_t *prev = json_array_get(fa->validations, (size_t)d->validation_index);
            if (json_is_null(prev) || !strcmp(json_string_value(json_object_get(prev, "result")), "admit"))
                json_array_set_new(fa->validations, (size_t)d->validation_index,
                                   validation_fact(res, failed ? d->message : NULL, NULL));
        }
    }
    if (out.allowed) {
        kt_strlist_pushf(&r->lines, "--- ADMISSION: allowed");
    } else {
        char *m = kt_go_quote(out.message ? out.message : "");
        kt_strlist_pushf(&r->lines, "--- ADMISSION: denied, %d %s, message %s", out.code, out.reason ? out.reason : "",
                         m ? m : "");
        free(m);
        if (denied && out.message)
            kt_strlist_push(&fa->messages, kt_strdup(out.message));
    }
    fa->warnings = json_array();
    for (size_t i = 0; i < out.nwarnings; i++) {
        char *w = kt_go_quote(out.warnings[i]);
        kt_strlist_pushf(&r->lines, "--- WARNING: %s", w ? w : "");
        free(w);
        json_array_append_new(fa->warnings, kt_json_string(out.warnings[i]));
    }
    const char *k;
    json_t *v;
    json_object_foreach(out.audit_annotations, k, v) {
        char *q = kt_go_quote(json_string_value(v));
        kt_strlist_pushf(&r->lines, "--- AUDIT ANNOTATION: %s = %s", k, q ? q : "");
        free(q);
    }
    if (denied)
        fa->reason = kt_strdup(out.reason);
    fa->audit = json_incref(out.audit_annotations);
    fa->verdict = erred ? "error" : denied ? "deny" : any ? "admit" : "skip";
    json_t *adm = json_pack("{s:b}", "allowed", out.allowed);
    if (adm && !out.allowed) {
        json_object_set_new(adm, "code", json_integer(out.code));
        json_object_set_new(adm, "reason", kt_json_string(out.reason));
        json_object_set_new(adm, "message", kt_json_string(out.message));
    }
    if (adm) {
        json_object_set(adm, "warnings", fa->warnings);
        json_object_set(adm, "auditAnnotations", out.audit_annotations);
    }
    json_object_set_new(data, "admission", adm);
    json_object_set_new(data, "decisions", decs);
    vap_outcome_clear(&out);
    return 0;
}

static json_t *case_json(const kt_manifest *m, const kt_case *c, const char *policy)
{
    json_t *d = json_pack("{s:o, s:s, s:i, s:i, s:o, s:o}", "manifest", kt_json_string(m->path), "id", c->id, "line",
                          c->pos.line, "column", c->pos.col, "policy", kt_json_string(policy), "expect",
                          kt_json_string(c->expect));
    if (!d)
        return NULL;
    if (c->name)
        json_object_set_new(d, "name", kt_json_string(c->name));
    json_object_set_new(d, "title", kt_json_string(c->title));
    if (c->operation)
        json_object_set_new(d, "operation", json_string(c->operation));
    json_object_set_new(d, "mode", json_string(c->evaluate_match ? "evaluateMatch" : "kaptest"));
    return d;
}

static void finish_result(kt_result *r, kt_file_result *fr, const kt_manifest *m, const kt_case *c,
                          const char *policy)
{
    r->tag = "VAP";
    r->policy = kt_strdup(policy);
    r->title = kt_strdup(c->title);
    r->expect = kt_strdup(c->expect);
    r->name = kt_strdup(c->name);
    r->id = kt_strdup(c->id);
    r->pos = c->pos;
    if (r->status == KT_PASS)
        fr->pass++;
    else
        fr->fail++;
    if (r->status == KT_SETUP_ERROR)
        fr->setup_error = true;
    static const char *const st[] = {"pass", "fail", "setup-error", "skipped"};
    json_object_set_new(r->data, "status", json_string(st[r->status]));
    json_object_set_new(r->data, "actual", kt_json_string(r->actual));
    json_t *lines = json_array();
    for (size_t i = 0; i < r->lines.n; i++)
        json_array_append_new(lines, kt_json_string(r->lines.v[i]));
    json_object_set_new(r->data, "details", lines);
}

/* Where the case is, first of its detail lines. */
static void case_line(kt_result *r, const kt_manifest *m, const kt_case *c)
{
    kt_strlist_pushf(&r->lines, "--- CASE: %s:%d:%d: %s%s%s%s", m->path, c->pos.line, c->pos.col, c->id,
                     c->name ? " \"" : "", c->name ? c->name : "", c->name ? "\"" : "");
}

static void run_case(kt_ctx *ctx, const kt_manifest *m, const kt_suite *s, size_t i, const kt_resources *res,
                     const vap_set *set, size_t pidx, const vap_policy_info *pi, const vap_observer *obs,
                     kt_file_result *fr)
{
    kt_case c;
    kt_case_build(&c, m, s, i, res, pi, ctx->opts);
    if (!kt_selected(ctx, c.subject)) {
        kt_case_clear(&c);
        return;
    }
    kt_result *r = new_result(fr);
    if (!r) {
        kt_case_clear(&c);
        return;
    }
    r->data = case_json(m, &c, s->policy);
    case_line(r, m, &c);
    kt_facts fa = {.policy = s->policy, .validations = json_array()};
    for (size_t k = 0; k < pi->count[VAP_EXPR_VALIDATION]; k++)
        json_array_append_new(fa.validations, json_null());
    char *err = NULL;
    if (c.errors.n) {
        r->status = KT_SETUP_ERROR;
        r->actual = kt_strdup("setup error");
        json_t *errs = json_array();
        for (size_t k = 0; k < c.errors.n; k++) {
            kt_strlist_pushf(&r->lines, "--- ERROR: %s", c.errors.v[k]);
            json_array_append_new(errs, kt_json_string(c.errors.v[k]));
        }
        json_object_set_new(r->data, "errors", errs);
    } else if ((c.evaluate_match ? eval_match(ctx, set, pidx, &c, s->policy, obs, r, &fa, r->data, &err)
                                 : eval_kaptest(ctx, set, pidx, pi, &c, obs, r, &fa, r->data, &err)) < 0) {
        r->status = KT_SETUP_ERROR;
        r->actual = kt_strdup("setup error");
        kt_strlist_pushf(&r->lines, "--- ERROR: the request the case makes: %s", err ? err : "out of memory");
        json_object_set_new(r->data, "errors", json_pack("[o]", kt_json_string(err)));
    } else {
        r->actual = kt_strdup(fa.verdict);
        kt_strlist failures = {0};
        bool ok = kt_assert(&c, &fa, m, &failures);
        json_t *jf = json_array();
        for (size_t k = 0; k < failures.n; k++) {
            json_array_append_new(jf, kt_json_string(failures.v[k]));
            kt_strlist_push(&r->lines, failures.v[k]);
            failures.v[k] = NULL;
        }
        kt_strlist_clear(&failures);
        json_object_set_new(r->data, "failures", jf);
        json_object_set(r->data, "validations", fa.validations);
        r->status = ok ? KT_PASS : KT_FAIL;
    }
    free(err);
    finish_result(r, fr, m, &c, s->policy);
    kt_facts_clear(&fa);
    kt_case_clear(&c);
}

static void map_cases(kt_ctx *ctx, const kt_manifest *m, const kt_suite *s, kt_file_result *fr)
{
    size_t n = json_array_size(s->tests);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(s->tests, i);
        char *title = json_is_object(t) ? kt_case_title_only(m, t) : kt_strdup("");
        char buf[64];
        bool bad;
        const char *e = kt_scalar(json_object_get(t, "expect"), buf, sizeof buf, &bad);
        char *up = kt_upper(e ? e : "");
        char *subject = kt_asprintf("%s - %s - %s", s->policy ? s->policy : "", title ? title : "", up ? up : "");
        free(up);
        bool sel = kt_selected(ctx, subject ? subject : "");
        free(subject);
        kt_result *r = sel ? new_result(fr) : NULL;
        if (!r) {
            free(title);
            continue;
        }
        kt_pos p = kt_manifest_pos(m, t, s->node);
        r->status = KT_SKIPPED;
        r->tag = "MAP";
        r->policy = kt_strdup(s->policy ? s->policy : "");
        r->title = title;
        r->expect = kt_strdup(e ? e : "");
        r->actual = kt_strdup("unsupported");
        r->id = kt_asprintf("%s[%zu].tests[%zu]", s->key, s->index, i);
        r->pos = p;
        kt_strlist_pushf(&r->lines, "--- CASE: %s:%d:%d: %s", m->path, p.line, p.col, r->id ? r->id : "");
        kt_strlist_pushf(&r->lines, "--- SKIPPED: MutatingAdmissionPolicy tests (mapTestSuites) are not supported "
                                    "by celgate test");
        r->data = json_pack("{s:o, s:o, s:i, s:o, s:s, s:o, s:s}", "manifest", kt_json_string(m->path), "id",
                            kt_json_string(r->id), "line", p.line, "policy", kt_json_string(r->policy), "status",
                            "skipped", "expect", kt_json_string(r->expect), "actual", "unsupported");
        fr->skip++;
    }
}

static bool uses_match(const kt_ctx *ctx, const kt_manifest *m)
{
    if (ctx->opts->evaluate_match || m->evaluate_match)
        return true;
    for (size_t i = 0; i < m->nsuites; i++) {
        size_t j;
        const json_t *t;
        json_array_foreach(m->suites[i].tests, j, t)
            if (json_is_true(json_object_get(t, "evaluateMatch")))
                return true;
    }
    return false;
}

static void push_errors(kt_file_result *fr, const char *prefix, const char *text)
{
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        kt_strlist_pushf(&fr->errors, "%s%.*s", prefix, (int)n, p);
        p = nl ? nl + 1 : NULL;
    }
    fr->setup_error = true;
}

/* The set of policies (and, for evaluateMatch, of resources). */
static vap_set *load_set(kt_ctx *ctx, const kt_manifest *m, const kt_resources *res, bool with_resources,
                         kt_file_result *fr)
{
    vap_load_opts lo = {.k8s_version = ctx->opts->k8s_version, .skip_invalid = true, .defer_compile_errors = true};
    char *err = NULL;
    vap_builder *b = vap_builder_new(&lo, &err);
    if (!b) {
        push_errors(fr, "ERROR: ", err ? err : "out of memory");
        free(err);
        return NULL;
    }
    for (size_t i = 0; i < m->policies.n; i++)
        vap_builder_add_path(b, m->policies.v[i]);
    for (size_t i = 0; with_resources && i < res->n; i++) {
        const kt_resource *r = &res->v[i];
        /* kaptest reads policies from the policy files only; objects without
         * a name can be neither bindings nor params */
        if (!strcmp(r->kind, "ValidatingAdmissionPolicy") || !*r->name || !*r->kind ||
            !json_string_value(json_object_get(r->obj, "apiVersion")))
            continue;
        vap_builder_add_object(b, r->obj, r->file, r->pos.line);
    }
    vap_set *s = vap_builder_finish(b, &err);
    if (err && *err)
        push_errors(fr, "ERROR: ", err);
    free(err);
    return s;
}

void kt_run_manifest(kt_ctx *ctx, const char *path, kt_file_result *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->path = kt_strdup(path);
    kt_manifest m;
    int rc = kt_manifest_load(path, &m);
    fr->notice = kt_strdup(m.notice);
    if (rc < 0) {
        kt_strlist_pushf(&fr->errors, "FAIL: %s", m.error ? m.error : "invalid manifest");
        fr->fail = 1;
        fr->setup_error = true;
        for (size_t i = 0; i < m.notes.n; i++)
            kt_strlist_push(&fr->notes, kt_strdup(m.notes.v[i]));
        kt_manifest_clear(&m);
        return;
    }
    kt_resources res = {0};
    for (size_t i = 0; i < m.resources.n; i++)
        kt_resources_add_file(&res, m.resources.v[i]);
    for (size_t i = 0; i < res.errors.n; i++)
        push_errors(fr, "ERROR: ", res.errors.v[i]);
    vap_set *set = load_set(ctx, &m, &res, uses_match(ctx, &m), fr);
    vap_observer obs = {0};
    kt_cov_binding *cov = set && ctx->coverage ? kt_coverage_bind(ctx->coverage, set, &obs) : NULL;
    size_t ncases = 0;
    for (size_t si = 0; si < m.nsuites; si++) {
        const kt_suite *s = &m.suites[si];
        if (s->map) {
            map_cases(ctx, &m, s, fr);
            continue;
        }
        long pidx = set ? vap_set_find_policy(set, s->policy) : -1;
        if (pidx < 0) {
            kt_pos p = kt_manifest_pos(&m, s->node, m.root);
            char *subject = kt_asprintf("%s", s->policy ? s->policy : "");
            bool sel = kt_selected(ctx, subject ? subject : "");
            free(subject);
            kt_result *r = sel ? new_result(fr) : NULL;
            if (!r)
                continue;
            r->status = KT_SETUP_ERROR;
            r->suite_level = true;
            r->tag = "VAP";
            r->policy = kt_strdup(s->policy ? s->policy : "");
            r->actual = kt_strdup("policy not found");
            r->id = kt_asprintf("%s[%zu]", s->key, s->index);
            r->pos = p;
            kt_strlist_pushf(&r->lines, "--- CASE: %s:%d:%d: %s", m.path, p.line, p.col, r->id ? r->id : "");
            kt_strlist_pushf(&r->lines, "--- ERROR: no ValidatingAdmissionPolicy named %s in the policy files%s",
                             s->policy ? s->policy : "(missing policy:)", fr->errors.n ? " (see the errors above)" : "");
            r->data = json_pack("{s:o, s:o, s:i, s:o, s:s, s:s}", "manifest", kt_json_string(m.path), "id",
                                kt_json_string(r->id), "line", p.line, "policy", kt_json_string(r->policy),
                                "status", "setup-error", "actual", "policy not found");
            fr->fail++;
            fr->setup_error = true;
            continue;
        }
        vap_policy_info pi;
        vap_set_policy_info(set, (size_t)pidx, &pi);
        size_t n = json_array_size(s->tests);
        for (size_t i = 0; i < n; i++) {
            if (++ncases > KT_MAX_CASES) {
                if (ncases == KT_MAX_CASES + 1)
                    push_errors(fr, "ERROR: ", "more than 100000 cases in one manifest: the rest are not run");
                break;
            }
            run_case(ctx, &m, s, i, &res, set, (size_t)pidx, &pi, cov ? &obs : NULL, fr);
        }
    }
    for (size_t i = 0; i < m.notes.n; i++)
        kt_strlist_push(&fr->notes, kt_strdup(m.notes.v[i]));
    kt_cov_binding_free(cov);
    vap_set_unref(set);
    kt_resources_clear(&res);
    kt_manifest_clear(&m);
}
