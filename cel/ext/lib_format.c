/*
 * lib_format.c: the Kubernetes format CEL library ("format"): the
 * kubernetes.NamedFormat type, format.named(), the zero-argument
 * format.<name>() constants, <NamedFormat>.validate(string), and their
 * runtime costs. The checks themselves are k8sfmt.c's (and urlparse.c's
 * for uri).
 *
 * The formats are constants: their values are static, so handing one out
 * allocates nothing.
 */
#include <stddef.h>
#include <string.h>

#include "cel/ext_k8s_types.h"
#include "k8sfmt.h"
#include "urlparse.h"
#include "xtypes.h"

typedef struct fmt_desc {
    const char *fn;       /* format.<fn>() and format.named("<fn>") */
    const char *name;     /* apiservercel.Format.Name, what equality compares */
    int kind;             /* cel_kfmt_kind */
    unsigned regex_size;  /* MaxRegexSize, for the cost of validate() */
} fmt_desc;

typedef struct fmt_value {
    cel_opaque hdr;
    const fmt_desc *desc; /* the opaque payload */
} fmt_value;

_Static_assert(offsetof(fmt_value, desc) == sizeof(cel_opaque), "payload right after header");

static cel_value fmt_equal_value(const cel_value *self, const cel_value *other, cel_arena *a);
static const char *fmt_format(const cel_opaque *o, cel_arena *a);

static const cel_opaque_type fmt_opaque = {
    .name = "kubernetes.NamedFormat",
    .format = fmt_format,
    .type = &cel_t_k8s_format,
    .equal_value = fmt_equal_value,
};

const cel_type cel_t_k8s_format = {
    .kind = CEL_T_OPAQUE, .name = "kubernetes.NamedFormat", .opaque = &fmt_opaque};

/* MaxRegexSize as upstream sets it: fixed estimates for the name formats,
 * the length of the pattern each strfmt check stands for otherwise
 * (govalidator's URL and Base64, strfmt's UUIDPattern and DateTimePattern,
 * 1103, 84, 70 and 71 bytes). */
static const fmt_desc descs[] = {
    {"dns1123Label", "DNS1123Label", CEL_KFMT_DNS1123_LABEL, 30},
    {"dns1123Subdomain", "DNS1123Subdomain", CEL_KFMT_DNS1123_SUBDOMAIN, 60},
    {"dns1035Label", "DNS1035Label", CEL_KFMT_DNS1035_LABEL, 30},
    {"qualifiedName", "QualifiedName", CEL_KFMT_QUALIFIED_NAME, 60},
    {"dns1123LabelPrefix", "DNS1123LabelPrefix", CEL_KFMT_DNS1123_LABEL_PREFIX, 30},
    {"dns1123SubdomainPrefix", "DNS1123SubdomainPrefix", CEL_KFMT_DNS1123_SUBDOMAIN_PREFIX, 60},
    {"dns1035LabelPrefix", "DNS1035LabelPrefix", CEL_KFMT_DNS1035_LABEL_PREFIX, 30},
    {"labelValue", "LabelValue", CEL_KFMT_LABEL_VALUE, 40},
    {"uri", "URI", CEL_KFMT_URI, 1103},
    {"uuid", "uuid", CEL_KFMT_UUID, 70},
    {"byte", "byte", CEL_KFMT_BYTE, 84},
    {"date", "date", CEL_KFMT_DATE, 71},
    {"datetime", "datetime", CEL_KFMT_DATETIME, 71},
};
#define NFORMATS (sizeof descs / sizeof descs[0])

static const fmt_value values[NFORMATS] = {
    {{&fmt_opaque}, &descs[0]},  {{&fmt_opaque}, &descs[1]},  {{&fmt_opaque}, &descs[2]},
    {{&fmt_opaque}, &descs[3]},  {{&fmt_opaque}, &descs[4]},  {{&fmt_opaque}, &descs[5]},
    {{&fmt_opaque}, &descs[6]},  {{&fmt_opaque}, &descs[7]},  {{&fmt_opaque}, &descs[8]},
    {{&fmt_opaque}, &descs[9]},  {{&fmt_opaque}, &descs[10]}, {{&fmt_opaque}, &descs[11]},
    {{&fmt_opaque}, &descs[12]},
};

static const fmt_desc *desc_of(const cel_value *v)
{
    return *(const fmt_desc *const *)CEL_OPAQUE_DATA(v->u.opaque);
}

static cel_value fmt_equal_value(const cel_value *self, const cel_value *other, cel_arena *a)
{
    if (other->kind != CEL_OPAQUE || other->u.opaque->type != &fmt_opaque)
        return cel_error_new(a, CEL_ERR_NO_OVERLOAD, "no such overload");
    return cel_bool(strcmp(desc_of(self)->name, desc_of(other)->name) == 0);
}

static const char *fmt_format(const cel_opaque *o, cel_arena *a)
{
    const fmt_desc *d = *(const fmt_desc *const *)CEL_OPAQUE_DATA(o);
    size_t n = strlen(d->fn);
    char *s = cel_arena_alloc(a, n + 10);
    if (s) {
        memcpy(s, "format.", 7);
        memcpy(s + 7, d->fn, n);
        memcpy(s + 7 + n, "()", 3);
    }
    return s;
}

static cel_value format_value(size_t i) { return cel_opaque_v(&values[i].hdr); }

/* format.<name>(): one C function per constant, since a call is not told
 * which overload it runs. */
#define CONSTANT(i)                                                                    \
    static cel_value fmt_const_##i(cel_call *c, const cel_value *args, size_t nargs) \
    {                                                                                 \
        return format_value(i);                                                       \
    }
CONSTANT(0)
CONSTANT(1)
CONSTANT(2)
CONSTANT(3)
CONSTANT(4)
CONSTANT(5)
CONSTANT(6)
CONSTANT(7)
CONSTANT(8)
CONSTANT(9)
CONSTANT(10)
CONSTANT(11)
CONSTANT(12)

static cel_value fmt_named(cel_call *c, const cel_value *args, size_t nargs)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strlen(descs[i].fn) == args[0].len && memcmp(descs[i].fn, args[0].u.str, args[0].len) == 0) {
            cel_value v = format_value(i);
            return cel_xt_optional(c, &v);
        }
    return cel_xt_optional(c, NULL);
}

/* format.uri(): url.ParseRequestURI's error, as err.Error(). */
static cel_value uri_messages(cel_call *c, const cel_value *s)
{
    cel_arena *a = cel_call_arena(c);
    cel_url u;
    cel_url_err e;
    u.buf = cel_arena_alloc(a, CEL_URL_BUF(s->len));
    if (!u.buf)
        return cel_xt_oom(c);
    if (cel_url_parse_request_uri(s->u.str, s->len, &u, &e))
        return cel_xt_optional(c, NULL);
    size_t n = cel_url_error(&e, NULL, 0);
    char *text = cel_arena_alloc(a, n + 1);
    cel_value *item = cel_arena_alloc(a, sizeof *item);
    if (!text || !item)
        return cel_xt_oom(c);
    cel_url_error(&e, text, n + 1);
    *item = cel_xt_string(c, text, n);
    if (item->kind == CEL_ERROR)
        return *item;
    cel_value list = cel_list_new(a, item, 1);
    if (list.kind == CEL_ERROR)
        return list;
    return cel_xt_optional(c, &list);
}

static cel_value fmt_validate(cel_call *c, const cel_value *args, size_t nargs)
{
    const fmt_desc *d = desc_of(&args[0]);
    if (d->kind == CEL_KFMT_URI)
        return uri_messages(c, &args[1]);
    const char *msgs[CEL_KFMT_MAX_MSGS];
    bool panics;
    size_t k = cel_kfmt_validate(d->kind, args[1].u.str, args[1].len, msgs, &panics);
    if (panics)
        return cel_xt_error(c, CEL_ERR_GENERAL, CEL_KFMT_PANIC_MSG);
    if (k == 0)
        return cel_xt_optional(c, NULL);
    cel_value *items = cel_arena_alloc(cel_call_arena(c), k * sizeof *items);
    if (!items)
        return cel_xt_oom(c);
    for (size_t i = 0; i < k; i++) {
        /* static texts: no copy needed */
        items[i] = cel_string_n(msgs[i], (uint32_t)strlen(msgs[i]));
        items[i].flags = CEL_VF_ASCII;
    }
    cel_value list = cel_list_new(cel_call_arena(c), items, k);
    if (list.kind == CEL_ERROR)
        return list;
    return cel_xt_optional(c, &list);
}

/* validate(): priced like a regex match against the format's estimated
 * pattern: ceil((1 + len) * 0.1) * ceil(MaxRegexSize * 0.25). */
static uint64_t fmt_cost_validate(const cel_value *args, size_t nargs)
{
    if (args[0].kind != CEL_OPAQUE || args[0].u.opaque->type != &fmt_opaque)
        return 1;
    uint64_t str = cel_xt_ceil((1.0 + (double)cel_xt_str_size(&args[1])) * 0.1);
    uint64_t re = cel_xt_ceil((double)desc_of(&args[0])->regex_size * 0.25);
    return str * re;
}

#define FMT (&cel_t_k8s_format)

static const cel_type t_list_string = {.kind = CEL_T_LIST, .name = "list", .param = {&cel_t_string}};
static const cel_type t_opt_list_string = {
    .kind = CEL_T_OPTIONAL, .name = "optional_type", .param = {&t_list_string}};
static const cel_type t_opt_format = {
    .kind = CEL_T_OPTIONAL, .name = "optional_type", .param = {FMT}};

#define CONST_OVERLOAD(i, name) {"format." name, "format." name, false, 0, 0, {NULL}, FMT, fmt_const_##i, NULL}

static const cel_overload format_overloads[] = {
    {"format-validate", "validate", true, 2, 0, {FMT, &cel_t_string}, &t_opt_list_string,
     fmt_validate, fmt_cost_validate},
    {"format-named", "format.named", false, 1, 0, {&cel_t_string}, &t_opt_format, fmt_named, NULL},
    CONST_OVERLOAD(0, "dns1123Label"),
    CONST_OVERLOAD(1, "dns1123Subdomain"),
    CONST_OVERLOAD(2, "dns1035Label"),
    CONST_OVERLOAD(3, "qualifiedName"),
    CONST_OVERLOAD(4, "dns1123LabelPrefix"),
    CONST_OVERLOAD(5, "dns1123SubdomainPrefix"),
    CONST_OVERLOAD(6, "dns1035LabelPrefix"),
    CONST_OVERLOAD(7, "labelValue"),
    CONST_OVERLOAD(8, "uri"),
    CONST_OVERLOAD(9, "uuid"),
    CONST_OVERLOAD(10, "byte"),
    CONST_OVERLOAD(11, "date"),
    CONST_OVERLOAD(12, "datetime"),
};

const cel_library cel_lib_k8s_format = {
    .name = "format",
    .overloads = format_overloads,
    .count = sizeof format_overloads / sizeof format_overloads[0],
};
