/*
 * cel/unparse.c: prints a tree back as CEL source (after cel-go's
 * parser/unparser.go), and compares trees.
 *
 * The printed text parses back to the same tree, ids and offsets aside:
 * parentheses are added where precedence or associativity demands (and
 * around nested && / || chains, which the parser balances), a minus sign is
 * kept apart from a number it must not fold into, macros are printed as
 * written, strings and bytes are escaped so that they lex to the same
 * value, and doubles use the shortest form that reads back exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "lex.h"

typedef struct ubuf {
    char *p;
    size_t len, cap;
    bool oom;
} ubuf;

static void put(ubuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(ubuf *b, const char *s) { put(b, s, strlen(s)); }

/* ---------------------------------------------------------------- operators */

/* cel-go's operator precedence: lower binds tighter. 0: not an operator. */
static int precedence(const cel_ast *e)
{
    if (!e || e->kind != CEL_AST_CALL || e->macro || e->u.call.target)
        return 0;
    const char *f = e->u.call.fn;
    size_t n = e->u.call.nargs;
    if (n == 3 && strcmp(f, "_?_:_") == 0)
        return 8;
    if (n != 2) {
        if (n == 1 && (strcmp(f, "!_") == 0 || strcmp(f, "-_") == 0))
            return 2;
        return 0;
    }
    if (strcmp(f, "_||_") == 0)
        return 7;
    if (strcmp(f, "_&&_") == 0)
        return 6;
    if (strcmp(f, "_==_") == 0 || strcmp(f, "_!=_") == 0 || strcmp(f, "_<_") == 0 ||
        strcmp(f, "_<=_") == 0 || strcmp(f, "_>_") == 0 || strcmp(f, "_>=_") == 0 ||
        strcmp(f, "@in") == 0)
        return 5;
    if (strcmp(f, "_+_") == 0 || strcmp(f, "_-_") == 0)
        return 4;
    if (strcmp(f, "_*_") == 0 || strcmp(f, "_/_") == 0 || strcmp(f, "_%_") == 0)
        return 3;
    return 0;
}

static const char *infix(const char *f)
{
    static const char *const map[][2] = {
        { "_||_", "||" }, { "_&&_", "&&" }, { "_==_", "==" }, { "_!=_", "!=" },
        { "_<_", "<" },   { "_<=_", "<=" }, { "_>_", ">" },   { "_>=_", ">=" },
        { "@in", "in" },  { "_+_", "+" },   { "_-_", "-" },   { "_*_", "*" },
        { "_/_", "/" },   { "_%_", "%" },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i][0], f) == 0)
            return map[i][1];
    return NULL;
}

/* ---------------------------------------------------------------- literals */

static void put_double(ubuf *b, double d)
{
    char s[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, d);
        if (strtod(s, NULL) == d)
            break;
    }
    puts_(b, s);
    /* "1e+100" lexes as a double; "5" or "-0" need ".0" */
    if (!strpbrk(s, ".e"))
        puts_(b, ".0");
}

static void put_quoted(ubuf *b, const char *s, size_t n, bool bytes)
{
    static const char hex[] = "0123456789abcdef";
    puts_(b, bytes ? "b\"" : "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\': puts_(b, "\\\\"); continue;
        case '"': puts_(b, "\\\""); continue;
        case '\n': puts_(b, "\\n"); continue;
        case '\r': puts_(b, "\\r"); continue;
        case '\t': puts_(b, "\\t"); continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            put(b, esc, 4);
        } else {
            put(b, (const char *)&c, 1);
        }
    }
    puts_(b, "\"");
}

static void put_literal(ubuf *b, const cel_value *v)
{
    char s[32];
    switch (v->kind) {
    case CEL_NULL: puts_(b, "null"); break;
    case CEL_BOOL: puts_(b, v->u.b ? "true" : "false"); break;
    case CEL_INT: snprintf(s, sizeof s, "%lld", (long long)v->u.i); puts_(b, s); break;
    case CEL_UINT: snprintf(s, sizeof s, "%lluu", (unsigned long long)v->u.u); puts_(b, s); break;
    case CEL_DOUBLE: put_double(b, v->u.d); break;
    case CEL_STRING: put_quoted(b, v->u.str, v->len, false); break;
    case CEL_BYTES: put_quoted(b, v->u.str, v->len, true); break;
    default: puts_(b, "<?>"); break;
    }
}

/* A field name as written: backquoted unless it is a plain identifier that
 * is not one of the literal keywords. */
static void put_field(ubuf *b, const char *f)
{
    bool plain = f[0] && !(f[0] >= '0' && f[0] <= '9');
    for (const char *c = f; *c && plain; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                (*c >= '0' && *c <= '9') || *c == '_';
    if (plain && (strcmp(f, "true") == 0 || strcmp(f, "false") == 0 ||
                  strcmp(f, "null") == 0 || strcmp(f, "in") == 0))
        plain = false;
    if (plain) {
        puts_(b, f);
    } else {
        puts_(b, "`");
        puts_(b, f);
        puts_(b, "`");
    }
}

/* ---------------------------------------------------------------- printer */

static void print(ubuf *b, const cel_ast *e);

static void print_paren(ubuf *b, const cel_ast *e, bool paren)
{
    if (paren)
        puts_(b, "(");
    print(b, e);
    if (paren)
        puts_(b, ")");
}

/* Operands of '.', '[' and calls must be member-level expressions. */
static void print_operand(ubuf *b, const cel_ast *e)
{
    print_paren(b, e, precedence(e) != 0);
}

static void print_args(ubuf *b, cel_ast *const *args, size_t n)
{
    puts_(b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(b, ", ");
        print(b, args[i]);
    }
    puts_(b, ")");
}

static void print_entries(ubuf *b, const cel_ast_entry *ents, size_t n, bool fields)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(b, ", ");
        if (ents[i].optional)
            puts_(b, "?");
        if (fields)
            put_field(b, ents[i].field);
        else
            print(b, ents[i].key);
        puts_(b, ": ");
        print(b, ents[i].value);
    }
}

static void print_unary(ubuf *b, const cel_ast *e)
{
    bool neg = e->u.call.fn[0] == '-';
    const cel_ast *x = e->u.call.args[0];
    puts_(b, neg ? "-" : "!");
    if (precedence(x) != 0) {
        print_paren(b, x, true);
        return;
    }
    /* "-5" would fold into a literal and "--x" cancel out: keep a printed
     * operand that starts with '-' or a digit apart. */
    ubuf t = { 0 };
    print(&t, x);
    if (t.oom) {
        b->oom = true;
        return;
    }
    bool paren = neg && t.len && (t.p[0] == '-' || (t.p[0] >= '0' && t.p[0] <= '9'));
    if (paren)
        puts_(b, "(");
    put(b, t.p, t.len);
    if (paren)
        puts_(b, ")");
    free(t.p);
}

static void print_call(ubuf *b, const cel_ast *e)
{
    const char *f = e->u.call.fn;
    cel_ast *const *a = e->u.call.args;
    int prec = precedence(e);
    if (prec == 8) {
        print_paren(b, a[0], precedence(a[0]) >= 8);
        puts_(b, " ? ");
        print_paren(b, a[1], precedence(a[1]) >= 8);
        puts_(b, " : ");
        print(b, a[2]);
        return;
    }
    if (prec == 2) {
        print_unary(b, e);
        return;
    }
    if (prec) {
        /* Left-associative: a right operand of the same level needs
         * parentheses; so do nested && / || on either side (the parser
         * balances chains, so a flattened print would not read back). */
        bool logical = prec == 6 || prec == 7;
        int lp = precedence(a[0]), rp = precedence(a[1]);
        print_paren(b, a[0], lp > prec || (logical && lp == prec));
        puts_(b, " ");
        puts_(b, infix(f));
        puts_(b, " ");
        print_paren(b, a[1], rp >= prec);
        return;
    }
    if (!e->u.call.target && e->u.call.nargs == 2 &&
        (strcmp(f, "_[_]") == 0 || strcmp(f, "_[?_]") == 0)) {
        print_operand(b, a[0]);
        puts_(b, f[2] == '?' ? "[?" : "[");
        print(b, a[1]);
        puts_(b, "]");
        return;
    }
    if (e->u.call.target) {
        print_operand(b, e->u.call.target);
        puts_(b, ".");
    }
    puts_(b, f);
    print_args(b, a, e->u.call.nargs);
}

static void print(ubuf *b, const cel_ast *e)
{
    if (!e) {
        puts_(b, "<?>");
        return;
    }
    if (e->macro && !(e->kind == CEL_AST_SELECT && e->u.select.test_only)) {
        print(b, e->macro);
        return;
    }
    switch (e->kind) {
    case CEL_AST_LITERAL:
        put_literal(b, &e->u.lit);
        break;
    case CEL_AST_IDENT:
        puts_(b, e->u.ident.name);
        break;
    case CEL_AST_SELECT:
        if (e->u.select.test_only)
            puts_(b, "has(");
        print_operand(b, e->u.select.operand);
        puts_(b, e->u.select.optional ? ".?" : ".");
        put_field(b, e->u.select.field);
        if (e->u.select.test_only)
            puts_(b, ")");
        break;
    case CEL_AST_CALL:
        print_call(b, e);
        break;
    case CEL_AST_LIST:
        puts_(b, "[");
        for (size_t i = 0; i < e->u.list.n; i++) {
            if (i)
                puts_(b, ", ");
            if (e->u.list.optional && e->u.list.optional[i])
                puts_(b, "?");
            print(b, e->u.list.elems[i]);
        }
        puts_(b, "]");
        break;
    case CEL_AST_MAP:
        puts_(b, "{");
        print_entries(b, e->u.map.entries, e->u.map.n, false);
        puts_(b, "}");
        break;
    case CEL_AST_STRUCT:
        puts_(b, e->u.strct.type_name);
        puts_(b, "{");
        print_entries(b, e->u.strct.entries, e->u.strct.n, true);
        puts_(b, "}");
        break;
    case CEL_AST_COMPREHENSION:
        /* only macros build comprehensions; without the call, show the
         * parts (this does not parse back) */
        puts_(b, "__comprehension__(");
        puts_(b, e->u.comp.iter_var ? e->u.comp.iter_var : "");
        puts_(b, ", ");
        print(b, e->u.comp.iter_range);
        puts_(b, ", ");
        puts_(b, e->u.comp.accu_var ? e->u.comp.accu_var : "");
        puts_(b, ", ");
        print(b, e->u.comp.accu_init);
        puts_(b, ", ");
        print(b, e->u.comp.loop_cond);
        puts_(b, ", ");
        print(b, e->u.comp.loop_step);
        puts_(b, ", ");
        print(b, e->u.comp.result);
        puts_(b, ")");
        break;
    default:
        puts_(b, "<?>");
        break;
    }
}

char *cel_unparse(const cel_ast *root)
{
    ubuf b = { 0 };
    print(&b, root);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        b.p = calloc(1, 1);
    return b.p;
}

/* ---------------------------------------------------------------- equality */

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool value_eq(const cel_value *a, const cel_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CEL_NULL: return true;
    case CEL_BOOL: return a->u.b == b->u.b;
    case CEL_INT: return a->u.i == b->u.i;
    case CEL_UINT: return a->u.u == b->u.u;
    case CEL_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof(double)) == 0;
    case CEL_STRING: case CEL_BYTES:
        return a->len == b->len && (a->len == 0 || memcmp(a->u.str, b->u.str, a->len) == 0);
    default: return false;
    }
}

static bool entries_eq(const cel_ast_entry *a, const cel_ast_entry *b, size_t n, bool fields)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].optional != b[i].optional || !cel_ast_equal(a[i].value, b[i].value))
            return false;
        if (fields ? !str_eq(a[i].field, b[i].field) : !cel_ast_equal(a[i].key, b[i].key))
            return false;
    }
    return true;
}

bool cel_ast_equal(const cel_ast *a, const cel_ast *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case CEL_AST_LITERAL:
        return value_eq(&a->u.lit, &b->u.lit);
    case CEL_AST_IDENT:
        return str_eq(a->u.ident.name, b->u.ident.name);
    case CEL_AST_SELECT:
        return a->u.select.test_only == b->u.select.test_only &&
               a->u.select.optional == b->u.select.optional &&
               str_eq(a->u.select.field, b->u.select.field) &&
               cel_ast_equal(a->u.select.operand, b->u.select.operand);
    case CEL_AST_CALL:
        if (!str_eq(a->u.call.fn, b->u.call.fn) || a->u.call.nargs != b->u.call.nargs ||
            !cel_ast_equal(a->u.call.target, b->u.call.target))
            return false;
        for (size_t i = 0; i < a->u.call.nargs; i++)
            if (!cel_ast_equal(a->u.call.args[i], b->u.call.args[i]))
                return false;
        return true;
    case CEL_AST_LIST:
        if (a->u.list.n != b->u.list.n)
            return false;
        for (size_t i = 0; i < a->u.list.n; i++) {
            bool oa = a->u.list.optional && a->u.list.optional[i];
            bool ob = b->u.list.optional && b->u.list.optional[i];
            if (oa != ob || !cel_ast_equal(a->u.list.elems[i], b->u.list.elems[i]))
                return false;
        }
        return true;
    case CEL_AST_MAP:
        return a->u.map.n == b->u.map.n &&
               entries_eq(a->u.map.entries, b->u.map.entries, a->u.map.n, false);
    case CEL_AST_STRUCT:
        return a->u.strct.n == b->u.strct.n && str_eq(a->u.strct.type_name, b->u.strct.type_name) &&
               entries_eq(a->u.strct.entries, b->u.strct.entries, a->u.strct.n, true);
    case CEL_AST_COMPREHENSION:
        return str_eq(a->u.comp.iter_var, b->u.comp.iter_var) &&
               str_eq(a->u.comp.iter_var2, b->u.comp.iter_var2) &&
               str_eq(a->u.comp.accu_var, b->u.comp.accu_var) &&
               cel_ast_equal(a->u.comp.iter_range, b->u.comp.iter_range) &&
               cel_ast_equal(a->u.comp.accu_init, b->u.comp.accu_init) &&
               cel_ast_equal(a->u.comp.loop_cond, b->u.comp.loop_cond) &&
               cel_ast_equal(a->u.comp.loop_step, b->u.comp.loop_step) &&
               cel_ast_equal(a->u.comp.result, b->u.comp.result);
    default:
        return false;
    }
}
