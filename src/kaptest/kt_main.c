/*
 * kt_main.c: a whole `celgate test` run: finds the manifests, runs them
 * one after the other, writes the report (text, JSON, JUnit), and sums up
 * the exit status: 2 when anything could not be set up, else 1 when a case
 * failed, else 0.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

/* Notes quote manifests: control characters shown as \xNN. */
static void note(FILE *f, const char *what, const char *s)
{
    fprintf(f, "celgate test: %s: ", what);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    fputc('\n', f);
}

bool kt_selected(const kt_ctx *ctx, const char *subject)
{
    if (!ctx->run_re)
        return true;
    int rc = pcre2_match(ctx->run_re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, ctx->run_md, NULL);
    return rc >= 0;
}

void kt_result_clear(kt_result *r)
{
    free(r->policy);
    free(r->title);
    free(r->expect);
    free(r->actual);
    free(r->name);
    free(r->id);
    kt_strlist_clear(&r->lines);
    json_decref(r->data);
    memset(r, 0, sizeof *r);
}

void kt_report_clear(kt_report *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        kt_file_result *f = &r->files[i];
        for (size_t k = 0; k < f->ncases; k++)
            kt_result_clear(&f->cases[k]);
        free(f->cases);
        free(f->path);
        free(f->notice);
        kt_strlist_clear(&f->errors);
        kt_strlist_clear(&f->notes);
    }
    free(r->files);
    kt_coverage_free(r->coverage);
    memset(r, 0, sizeof *r);
}

int kt_run(const char *const *paths, size_t npaths, const kt_opts *opts)
{
    kt_opts o = *opts;
    FILE *out = o.out ? o.out : stdout, *errf = o.err ? o.err : stderr;
    kt_ctx ctx = {&o, NULL, NULL, NULL, NULL};
    if (o.run) {
        int code;
        PCRE2_SIZE off;
        ctx.run_re = pcre2_compile((PCRE2_SPTR)o.run, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
        if (!ctx.run_re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            fprintf(errf, "celgate test: --run: bad regular expression at offset %zu: %s\n", (size_t)off,
                    (const char *)msg);
            return KT_EXIT_SETUP;
        }
        ctx.run_md = pcre2_match_data_create_from_pattern(ctx.run_re, NULL);
    }
    json_t *stub = json_pack("[{s:s, s:s}]", "decision", "allow", "reason", "reason: stub");
    char *err = NULL;
    ctx.stub_authz = stub ? vap_authorizer_from_json(stub, &err) : NULL;
    json_decref(stub);
    free(err);
    err = NULL;

    kt_strlist manifests = {0};
    int status = KT_EXIT_PASS;
    kt_report rep = {0};
    if (kt_discover(paths, npaths, &manifests, &err) < 0) {
        fprintf(errf, "celgate test: %s\n", err ? err : "out of memory");
        free(err);
        status = KT_EXIT_SETUP;
        goto out;
    }
    if (o.coverage)
        rep.coverage = ctx.coverage = kt_coverage_new();
    rep.files = calloc(manifests.n ? manifests.n : 1, sizeof *rep.files);
    if (!rep.files) {
        status = KT_EXIT_SETUP;
        goto out;
    }
    for (size_t i = 0; i < manifests.n; i++) {
        kt_file_result *fr = &rep.files[rep.nfiles++];
        kt_run_manifest(&ctx, manifests.v[i], fr);
        if (fr->notice)
            note(errf, "notice", fr->notice);
        for (size_t k = 0; k < fr->notes.n; k++)
            note(errf, "note", fr->notes.v[k]);
        rep.pass += fr->pass;
        rep.fail += fr->fail;
        rep.skip += fr->skip;
        rep.setup_error |= fr->setup_error;
    }
    if (o.format == KT_FORMAT_JSON)
        kt_out_json(&rep, &o, out);
    else
        kt_out_text(&rep, &o, out);
    fflush(out);
    if (o.junit && kt_out_junit(&rep, o.junit, &err) < 0) {
        fprintf(errf, "celgate test: --junit: %s\n", err ? err : "cannot write the report");
        free(err);
        rep.setup_error = true;
    }
    status = rep.setup_error ? KT_EXIT_SETUP : rep.fail ? KT_EXIT_FAIL : KT_EXIT_PASS;
out:
    kt_report_clear(&rep);
    kt_strlist_clear(&manifests);
    vap_authorizer_free(ctx.stub_authz);
    pcre2_match_data_free(ctx.run_md);
    pcre2_code_free(ctx.run_re);
    return status;
}
