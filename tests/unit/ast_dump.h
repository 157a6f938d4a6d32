/*
 * tests/unit/ast_dump.h: prints a parsed tree as a fully parenthesised
 * S-expression (cel-go's debug form without ids), so that parser tests can
 * assert exact shapes. Header-only, for the parser test executables.
 */
#ifndef TEST_AST_DUMP_H
#define TEST_AST_DUMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

typedef struct dbuf {
    char *p;
    size_t len, cap;
} dbuf;

static void dput(dbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void dstr(dbuf *b, const char *s) { dput(b, s, strlen(s)); }

static void dump_node(dbuf *b, const cel_ast *e);

static void dump_value(dbuf *b, const cel_value *v)
{
    char s[64];
    switch (v->kind) {
    case CEL_NULL: dstr(b, "null"); return;
    case CEL_BOOL: dstr(b, v->u.b ? "true" : "false"); return;
    case CEL_INT: snprintf(s, sizeof s, "%lld", (long long)v->u.i); break;
    case CEL_UINT: snprintf(s, sizeof s, "%lluu", (unsigned long long)v->u.u); break;
    case CEL_DOUBLE: snprintf(s, sizeof s, "%gd", v->u.d); break;
    case CEL_STRING: case CEL_BYTES:
        dstr(b, v->kind == CEL_BYTES ? "b\"" : "\"");
        for (uint32_t i = 0; i < v->len; i++) {
            unsigned char c = (unsigned char)v->u.str[i];
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                snprintf(s, sizeof s, "\\x%02x", c);
                dstr(b, s);
            } else {
                dput(b, (const char *)&c, 1);
            }
        }
        dstr(b, "\"");
        return;
    default: dstr(b, "?"); return;
    }
    dstr(b, s);
}

static void dump_node(dbuf *b, const cel_ast *e)
{
    if (!e) {
        dstr(b, "<nil>");
        return;
    }
    switch (e->kind) {
    case CEL_AST_LITERAL: dump_value(b, &e->u.lit); break;
    case CEL_AST_IDENT: dstr(b, e->u.ident.name); break;
    case CEL_AST_SELECT:
        dump_node(b, e->u.select.operand);
        dstr(b, e->u.select.optional ? ".?" : ".");
        dstr(b, e->u.select.field);
        if (e->u.select.test_only)
            dstr(b, "~test-only~");
        break;
    case CEL_AST_CALL:
        if (e->u.call.target) {
            dump_node(b, e->u.call.target);
            dstr(b, ".");
        }
        dstr(b, e->u.call.fn);
        dstr(b, "(");
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            if (i)
                dstr(b, ", ");
            dump_node(b, e->u.call.args[i]);
        }
        dstr(b, ")");
        break;
    case CEL_AST_LIST:
        dstr(b, "[");
        for (size_t i = 0; i < e->u.list.n; i++) {
            if (i)
                dstr(b, ", ");
            if (e->u.list.optional && e->u.list.optional[i])
                dstr(b, "?");
            dump_node(b, e->u.list.elems[i]);
        }
        dstr(b, "]");
        break;
    case CEL_AST_MAP: case CEL_AST_STRUCT: {
        bool st = e->kind == CEL_AST_STRUCT;
        const cel_ast_entry *en = st ? e->u.strct.entries : e->u.map.entries;
        size_t n = st ? e->u.strct.n : e->u.map.n;
        if (st)
            dstr(b, e->u.strct.type_name);
        dstr(b, "{");
        for (size_t i = 0; i < n; i++) {
            if (i)
                dstr(b, ", ");
            if (en[i].optional)
                dstr(b, "?");
            if (st)
                dstr(b, en[i].field);
            else
                dump_node(b, en[i].key);
            dstr(b, ": ");
            dump_node(b, en[i].value);
        }
        dstr(b, "}");
        break;
    }
    case CEL_AST_COMPREHENSION:
        dstr(b, "__comprehension__(");
        dstr(b, e->u.comp.iter_var);
        if (e->u.comp.iter_var2) {
            dstr(b, ", ");
            dstr(b, e->u.comp.iter_var2);
        }
        dstr(b, ", ");
        dump_node(b, e->u.comp.iter_range);
        dstr(b, ", ");
        dstr(b, e->u.comp.accu_var);
        dstr(b, ", ");
        dump_node(b, e->u.comp.accu_init);
        dstr(b, ", ");
        dump_node(b, e->u.comp.loop_cond);
        dstr(b, ", ");
        dump_node(b, e->u.comp.loop_step);
        dstr(b, ", ");
        dump_node(b, e->u.comp.result);
        dstr(b, ")");
        break;
    default: dstr(b, "?"); break;
    }
}

/* Malloc'd dump of a tree. */
static char *ast_dump(const cel_ast *e)
{
    dbuf b = { 0 };
    dstr(&b, "");
    dump_node(&b, e);
    return b.p;
}

#endif
