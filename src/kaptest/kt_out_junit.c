/*
 * kt_out_junit.c: the report as JUnit XML (--junit FILE), the format CI
 * systems show test results in: one <testsuite> per manifest, one
 * <testcase> per case (classname: the manifest and policy), <failure> for
 * a wrong verdict or assertion, <error> for a setup error, <skipped> for
 * unsupported MutatingAdmissionPolicy cases; manifest problems go to the
 * suite's <system-err>. Text is escaped for XML 1.0: markup characters as
 * entities, and what XML cannot carry at all (control characters, bytes
 * that are not UTF-8) as visible \xNN escapes, so the file always parses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt_int.h"

static void esc(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        if (c == '&') fputs("&amp;", f);
        else if (c == '<') fputs("&lt;", f);
        else if (c == '>') fputs("&gt;", f);
        else if (c == '"') fputs("&quot;", f);
        else if (c == '\'') fputs("&apos;", f);
        else if (c == '\n' || c == '\t') fputc(c, f);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\x%02x", c);
        else if (c < 0x80) fputc(c, f);
        else {
            /* a whole, valid UTF-8 sequence (no surrogates, no U+FFFE/FFFF), else an escape */
            size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
            uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
            size_t i = 1;
            for (; n && i < n && (p[i] & 0xc0) == 0x80; i++)
                cp = (cp << 6) | (p[i] & 0x3f);
            static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
            bool ok = n && i == n && cp >= min[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) &&
                      cp != 0xfffe && cp != 0xffff;
            if (ok) {
                fwrite(p, 1, n, f);
                p += n;
                continue;
            }
            fprintf(f, "\\x%02x", c);
        }
        p++;
    }
}

static void testcase(FILE *f, const kt_file_result *fr, const kt_result *r)
{
    char *e = kt_upper(r->expect), *a = kt_upper(r->actual);
    fputs("    <testcase classname=\"", f);
    esc(f, fr->path);
    fputs(".", f);
    esc(f, r->policy);
    fputs("\" name=\"", f);
    if (r->suite_level) {
        esc(f, r->id);
    } else {
        esc(f, r->id);
        fputs(": ", f);
        esc(f, r->title);
        if (r->name) {
            fputs(" [", f);
            esc(f, r->name);
            fputs("]", f);
        }
    }
    fputs("\" file=\"", f);
    esc(f, fr->path);
    fprintf(f, "\" line=\"%d\">\n", r->pos.line);
    const char *tag = r->status == KT_FAIL ? "failure" : r->status == KT_SETUP_ERROR ? "error"
                    : r->status == KT_SKIPPED ? "skipped" : NULL;
    if (tag) {
        fprintf(f, "      <%s message=\"", tag);
        if (r->suite_level)
            fputs("POLICY NOT FOUND", f);
        else {
            esc(f, e);
            fputs(" ==&gt; ", f);
            esc(f, a);
        }
        fprintf(f, "\" type=\"%s\">", r->status == KT_FAIL ? "verdict" : r->status == KT_SKIPPED ? "unsupported"
                                                                                                 : "setup");
        for (size_t i = 0; i < r->lines.n; i++) {
            esc(f, r->lines.v[i]);
            fputc('\n', f);
        }
        fprintf(f, "</%s>\n", tag);
    }
    fputs("    </testcase>\n", f);
    free(e);
    free(a);
}

int kt_out_junit(const kt_report *rep, const char *path, char **err)
{
    *err = NULL;
    FILE *f = fopen(path, "w");
    if (!f) {
        *err = kt_asprintf("%s: %s", path, strerror(errno));
        return -1;
    }
    size_t errors = 0, failures = 0, skipped = 0, tests = 0;
    for (size_t i = 0; i < rep->nfiles; i++) {
        if (rep->files[i].ncases == 0 && rep->files[i].errors.n) {
            tests++; /* the manifest itself, as one error */
            errors++;
        }
        for (size_t k = 0; k < rep->files[i].ncases; k++) {
            kt_status s = rep->files[i].cases[k].status;
            tests++;
            errors += s == KT_SETUP_ERROR;
            failures += s == KT_FAIL;
            skipped += s == KT_SKIPPED;
        }
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"celgate test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
            tests, failures, errors, skipped);
    for (size_t i = 0; i < rep->nfiles; i++) {
        const kt_file_result *fr = &rep->files[i];
        size_t e = 0, fl = 0, sk = 0;
        for (size_t k = 0; k < fr->ncases; k++) {
            e += fr->cases[k].status == KT_SETUP_ERROR;
            fl += fr->cases[k].status == KT_FAIL;
            sk += fr->cases[k].status == KT_SKIPPED;
        }
        /* a manifest that could not be read is one error of its own */
        bool broken = fr->ncases == 0 && fr->errors.n;
        fputs("  <testsuite name=\"", f);
        esc(f, fr->path);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n", fr->ncases + broken, fl,
                e + broken, sk);
        if (broken) {
            fputs("    <testcase classname=\"", f);
            esc(f, fr->path);
            fputs("\" name=\"manifest\">\n      <error message=\"", f);
            esc(f, fr->errors.v[0]);
            fputs("\" type=\"setup\"/>\n    </testcase>\n", f);
        }
        for (size_t k = 0; k < fr->ncases; k++)
            testcase(f, fr, &fr->cases[k]);
        if (fr->errors.n || fr->notice) {
            fputs("    <system-err>", f);
            if (fr->notice) {
                esc(f, fr->notice);
                fputc('\n', f);
            }
            for (size_t k = 0; k < fr->errors.n; k++) {
                esc(f, fr->errors.v[k]);
                fputc('\n', f);
            }
            fputs("</system-err>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        *err = kt_asprintf("%s: write error", path);
        return -1;
    }
    return 0;
}
