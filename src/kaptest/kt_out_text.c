/*
 * kt_out_text.c: the report as kaptest prints it, per manifest:
 *
 *   [path/to/kaptest.yaml]
 *   [VAP] PASS: policy - (CREATE) Kind:ns/name - ADMIT ==> ADMIT
 *   [VAP] FAIL: policy - (UPDATE) Kind:old -> new (Param: p) - ADMIT ==> DENY
 *   --- DENY: reason "Invalid", message "..."
 *   Total: 2, Pass: 1, Fail: 1
 *
 * then, for several manifests, a rule and the grand total. Detail lines
 * follow failures (all cases with -v); a case name is appended in
 * brackets; MutatingAdmissionPolicy cases show as [MAP] SKIP; manifest
 * problems are FAIL:/ERROR: lines under the header. Coverage comes last.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kt_int.h"

static void print_case(const kt_result *r, const kt_opts *o, FILE *out)
{
    if (r->suite_level) {
        fprintf(out, "FAIL: %s ==> POLICY NOT FOUND\n", r->policy ? r->policy : "");
    } else {
        char *e = kt_upper(r->expect), *a = kt_upper(r->actual);
        const char *st = r->status == KT_PASS ? "PASS" : r->status == KT_SKIPPED ? "SKIP" : "FAIL";
        fprintf(out, "[%s] %s: %s", r->tag ? r->tag : "VAP", st, r->policy ? r->policy : "");
        if (r->title && *r->title)
            fprintf(out, " - %s", r->title);
        fprintf(out, " - %s ==> %s", e ? e : "", a ? a : "");
        if (r->name)
            fprintf(out, " [%s]", r->name);
        fputc('\n', out);
        free(e);
        free(a);
    }
    if (r->status != KT_PASS || o->verbose)
        for (size_t i = 0; i < r->lines.n; i++)
            fprintf(out, "%s\n", r->lines.v[i]);
}

void kt_out_text(const kt_report *rep, const kt_opts *o, FILE *out)
{
    for (size_t i = 0; i < rep->nfiles; i++) {
        const kt_file_result *f = &rep->files[i];
        fprintf(out, "[%s]\n", f->path);
        for (size_t k = 0; k < f->errors.n; k++)
            fprintf(out, "%s\n", f->errors.v[k]);
        if (!f->errors.n && !f->ncases)
            fputc('\n', out);
        for (size_t k = 0; k < f->ncases; k++)
            print_case(&f->cases[k], o, out);
        fprintf(out, "Total: %zu, Pass: %zu, Fail: %zu", f->pass + f->fail, f->pass, f->fail);
        if (f->skip)
            fprintf(out, ", Skip: %zu", f->skip);
        fprintf(out, "\n\n");
    }
    if (rep->nfiles > 1) {
        fprintf(out, "--------------------------------------------------\n");
        fprintf(out, "Total: %zu, Pass: %zu, Fail: %zu", rep->pass + rep->fail, rep->pass, rep->fail);
        if (rep->skip)
            fprintf(out, ", Skip: %zu", rep->skip);
        fputc('\n', out);
    }
    if (rep->coverage) {
        if (rep->nfiles > 1)
            fputc('\n', out);
        kt_coverage_text(rep->coverage, out);
    }
}
