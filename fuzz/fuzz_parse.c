/*
 * fuzz/fuzz_parse.c: feeds arbitrary bytes to the parser. Whatever parses
 * must print back (cel_unparse) to text that parses to the same tree
 * (cel_ast_equal); a difference aborts. Diagnostics are formatted too, so
 * the caret and position code sees hostile input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const char *src, size_t len, const cel_parse_opts *o)
{
    cel_parsed p;
    if (cel_parse(src, len, o, &p) != 0) {
        free(cel_parsed_format_issues(&p));
        cel_parsed_free(&p);
        return;
    }
    char *text = cel_unparse(p.root);
    if (!text)
        abort();
    cel_parsed q;
    if (cel_parse(text, strlen(text), o, &q) != 0 || !cel_ast_equal(p.root, q.root))
        abort();
    cel_parsed_free(&q);
    free(text);
    cel_parsed_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cel_parse_opts all = { 0 };
    all.macros = CEL_MACROS_ALL;
    all.optional_syntax = true;
    round_trip((const char *)data, size, &all);
    cel_parse_opts plain = { 0 };
    plain.no_macros = true;
    plain.max_depth = 32;
    round_trip((const char *)data, size, &plain);
    return 0;
}
