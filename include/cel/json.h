/*
 * cel/json.h: CEL values over parsed JSON documents (jansson), decoded lazily.
 *
 * Binding a document costs nothing up front: objects become maps and arrays
 * lists whose elements are converted only when an expression reads them.
 * Numbers follow Kubernetes' JSON decoding: integers are int, numbers with a
 * fraction or exponent are double. The document must outlive the evaluation.
 * This is the only place libcel touches jansson's types.
 */
#ifndef CEL_JSON_H
#define CEL_JSON_H

#include <jansson.h>

#include "cel/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A CEL value over j (NULL or JSON null gives null). Scalars are converted
 * now; objects and arrays are wrapped. Allocates the wrappers in a. */
cel_value cel_json_value(const json_t *j, cel_arena *a);

/* Converts a CEL value to JSON (for results and messages): maps with
 * string keys become objects, bytes become base64, timestamps and
 * durations their RFC 3339 / "<s>s" texts. NULL for an error value or a map
 * key that is not a string. New reference. */
json_t *cel_value_to_json(const cel_value *v, cel_arena *a);

/* The tagged VALUE encoding of the CEL conformance suite
 * (../shared/conformance/FORMAT.md): {"int":"-5"}, {"double":"NaN"},
 * {"map":[[K,V],...]}, timestamps and durations as
 * {"message":{"type":"google.protobuf.Timestamp","json":"..."}}. Beyond
 * the suite: optionals are {"optional":[]} / {"optional":[VALUE]}, library
 * values {"opaque":{"type":T,"text":S}}. Encoding an error gives NULL;
 * decoding malformed input gives an error value. */
json_t *cel_json_tagged_encode(const cel_value *v, cel_arena *a);
cel_value cel_json_tagged_decode(const json_t *j, cel_arena *a);

#ifdef __cplusplus
}
#endif
#endif
