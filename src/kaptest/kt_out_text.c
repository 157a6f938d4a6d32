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

/* Text from manifests goes to terminals: control characters (a name
 * with an escape sequence) are shown as \xNN, tabs kept. */
static void put(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
}

static void print_case(const kt_result *r, const kt_opts *o, FILE *out)
{
    if (r->suite_level) {
        fputs("FAIL: ", out);
        put(out, r->policy);
        fputs(" ==> POLICY NOT FOUND\n", out);
    } else {
        char *e = kt_upper(r->expect), *a = kt_upper(r->actual);
        const char *st = r->status == KT_PASS ? "PASS" : r->status == KT_SKIPPED ? "SKIP" : "FAIL";
        fprintf(out, "[%s] %s: ", r->tag ? r->tag : "VAP", st);
        put(out, r->policy);
        if (r->title && *r->title) {
            fputs(" - ", out);
            put(out, r->title);
        }
        fputs(" - ", out);
        put(out, e);
        fputs(" ==> ", out);
        put(out, a);
        if (r->name) {
            fputs(" [", out);
            put(out, r->name);
            fputc(']', out);
        }
        fputc('\n', out);
        free(e);
        free(a);
    }
    if (r->status != KT_PASS || o->verbose)
        for (size_t i = 0; i < r->lines.n; i++) {
            put(out, r->lines.v[i]);
            fputc('\n', out);
        }
}

void kt_out_text(const kt_report *rep, const kt_opts *o, FILE *out)
{
    for (size_t i = 0; i < rep->nfiles; i++) {
        const kt_file_result *f = &rep->files[i];
        fputc('[', out);
        put(out, f->path);
        fputs("]\n", out);
        for (size_t k = 0; k < f->errors.n; k++) {
            put(out, f->errors.v[k]);
            fputc('\n', out);
        }
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
