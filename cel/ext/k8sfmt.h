/*
 * cel/ext/k8sfmt.h: the string checks behind the Kubernetes CEL format
 * library: apimachinery's name validators (IsDNS1123Label,
 * IsDNS1123Subdomain, IsDNS1035Label, their NameIs*(name, prefix) forms,
 * IsQualifiedName/IsLabelKey, IsValidLabelValue) with their exact messages,
 * and kube-openapi's strfmt checks (uuid, byte, date, datetime). The uri
 * format is url.ParseRequestURI (urlparse.h).
 */
#ifndef CEL_EXT_K8SFMT_H
#define CEL_EXT_K8SFMT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cel_kfmt_kind {
    CEL_KFMT_DNS1123_LABEL,
    CEL_KFMT_DNS1123_SUBDOMAIN,
    CEL_KFMT_DNS1035_LABEL,
    CEL_KFMT_QUALIFIED_NAME,
    CEL_KFMT_DNS1123_LABEL_PREFIX,
    CEL_KFMT_DNS1123_SUBDOMAIN_PREFIX,
    CEL_KFMT_DNS1035_LABEL_PREFIX,
    CEL_KFMT_LABEL_VALUE,
    CEL_KFMT_URI,
    CEL_KFMT_UUID,
    CEL_KFMT_BYTE,
    CEL_KFMT_DATE,
    CEL_KFMT_DATETIME
} cel_kfmt_kind;

#define CEL_KFMT_MAX_MSGS 4

/* Runs the check of kind on s (not CEL_KFMT_URI): the messages it reports,
 * in order, as static texts; 0 when s is valid. *panics is set instead when
 * Go would panic (apimachinery's maskTrailingDash on "-"). */
size_t cel_kfmt_validate(int kind, const char *s, size_t n, const char *msgs[CEL_KFMT_MAX_MSGS],
                         bool *panics);

/* The runtime error Kubernetes reports for that panic. */
#define CEL_KFMT_PANIC_MSG "internal error: runtime error: slice bounds out of range [:-1]"

#endif
