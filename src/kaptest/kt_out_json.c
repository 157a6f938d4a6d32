/*
 * kt_out_json.c: the report as one JSON document (-o json), for CI tools:
 *
 *   {"manifests": [{"path", "notice", "errors": [...], "notes": [...],
 *                   "total", "pass", "fail", "skip",
 *                   "cases": [{"id", "line", "column", "name", "policy",
 *                              "title", "operation", "mode", "expect",
 *                              "actual", "status", "decisions",
 *                              "failures", "errors", "details", ...}]}],
 *    "total", "pass", "fail", "skip", "setupError", "coverage"}
 */
#include <stdio.h>
#include <stdlib.h>

#include "kt_int.h"

static json_t *strings(const kt_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, kt_json_string(l->v[i]));
    return a;
}

void kt_out_json(const kt_report *rep, const kt_opts *o, FILE *out)
{
    json_t *files = json_array();
    for (size_t i = 0; files && i < rep->nfiles; i++) {
        const kt_file_result *f = &rep->files[i];
        json_t *cases = json_array();
        for (size_t k = 0; cases && k < f->ncases; k++)
            json_array_append(cases, f->cases[k].data ? f->cases[k].data : json_null());
        json_t *jf = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:b, s:o}", "path", kt_json_string(f->path),
                               "errors", strings(&f->errors), "notes", strings(&f->notes), "total",
                               (json_int_t)(f->pass + f->fail), "pass", (json_int_t)f->pass, "fail",
                               (json_int_t)f->fail, "skip", (json_int_t)f->skip, "setupError", f->setup_error,
                               "cases", cases);
        if (jf && f->notice)
            json_object_set_new(jf, "notice", kt_json_string(f->notice));
        json_array_append_new(files, jf);
    }
    json_t *doc = json_pack("{s:o, s:I, s:I, s:I, s:I, s:b}", "manifests", files, "total",
                            (json_int_t)(rep->pass + rep->fail), "pass", (json_int_t)rep->pass, "fail",
                            (json_int_t)rep->fail, "skip", (json_int_t)rep->skip, "setupError", rep->setup_error);
    if (doc && rep->coverage)
        json_object_set_new(doc, "coverage", kt_coverage_json(rep->coverage));
    char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (s)
        fprintf(out, "%s\n", s);
    else
        fprintf(out, "{\"error\": \"out of memory\"}\n");
    free(s);
    json_decref(doc);
}
