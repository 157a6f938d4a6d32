/*
 * cel/ext_strings.h: the cel-go extension libraries for strings, math and
 * encoders, and the Kubernetes regex library, as constant tables for
 * cel_env_add_library. The Kubernetes environment picks the strings
 * version its release uses (k8s.io/apiserver environment/base.go); math
 * and encoders exist only in the "all libraries" environment.
 *
 * Every table of one library carries the library's cel-go name, so a
 * newer version can stand in for an older one (cel/k8s.h).
 */
#ifndef CEL_EXT_STRINGS_H
#define CEL_EXT_STRINGS_H

#include "cel/function.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cel-go ext.Strings ("cel.lib.ext.strings"), by StringsVersion:
 *   0  charAt indexOf lastIndexOf lowerAscii upperAscii replace split
 *      substring trim join
 *   1  + format (printf-style, Go/x-text number formatting) strings.quote
 *   2  join takes list(string) element by element (errors name the value)
 *   3  + reverse
 *   4  format follows the cel-spec strings extension (plain numbers,
 *      no locale; %d %f %e accept ints, uints and doubles alike)
 * Kubernetes uses version 0 up to 1.28 and version 2 from 1.29. */
#define CEL_STRX_NEWEST 4
extern const cel_library cel_lib_ext_strings[CEL_STRX_NEWEST + 1];
/* The table for a version; versions past the newest get the newest. */
const cel_library *cel_strx_library(unsigned version);

/* cel-go ext.Math ("cel.lib.ext.math"), by MathVersion:
 *   0  math.greatest / math.least (macros, CEL_MACROS_MATH) over
 *      math.@max / math.@min
 *   1  + ceil floor round trunc isInf isNaN isFinite abs sign
 *      bitAnd bitOr bitXor bitNot bitShiftLeft bitShiftRight
 *   2  + sqrt */
#define CEL_MATH_NEWEST 2
extern const cel_library cel_lib_ext_math[CEL_MATH_NEWEST + 1];
const cel_library *cel_math_library(unsigned version);

/* cel-go ext.Encoders ("cel.lib.ext.encoders"), by EncodersVersion:
 *   0  base64.encode(bytes) -> string, base64.decode(string) -> bytes
 *   1  + json.encode(dyn) -> string, and base64 calls charged by size */
#define CEL_ENCODERS_NEWEST 1
extern const cel_library cel_lib_ext_encoders[CEL_ENCODERS_NEWEST + 1];
const cel_library *cel_encoders_library(unsigned version);

/* Kubernetes regex library ("kubernetes.regex", every version):
 * <string>.find(regex) -> string, <string>.findAll(regex) -> list(string),
 * <string>.findAll(regex, int limit) -> list(string). A literal pattern is
 * compiled once, when the program is built. */
extern const cel_library cel_lib_k8s_regex;

#ifdef __cplusplus
}
#endif
#endif
