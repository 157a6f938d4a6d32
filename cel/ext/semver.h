/*
 * cel/ext/semver.h: semantic versions as github.com/blang/semver/v4 parses
 * and orders them (semver.Parse, Version.Compare), plus Kubernetes'
 * normalizeAndParse (the optional "normalize" of semver(s, true)), with
 * the error texts both produce.
 *
 * A parsed version points into the text it was parsed from: the numbers
 * are decoded, the prerelease and build parts are kept as written (Parse
 * accepts only their canonical form, so that is also Version.String()).
 */
#ifndef CEL_EXT_SEMVER_H
#define CEL_EXT_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cel_semver {
    uint64_t major, minor, patch;
    const char *pre;   /* after '-', before '+'; NULL: none */
    size_t pre_len;
    const char *build; /* after '+'; NULL: none */
    size_t build_len;
} cel_semver;

typedef enum cel_semver_reason {
    CEL_SEMVER_OK = 0,
    CEL_SEMVER_EMPTY,          /* Version string empty */
    CEL_SEMVER_NO_MMP,         /* No Major.Minor.Patch elements found */
    CEL_SEMVER_CHARS,          /* Invalid character(s) found in <part> number "<s>" */
    CEL_SEMVER_LEADING_ZERO,   /* <Part> number must not contain leading zeroes "<s>" */
    CEL_SEMVER_PARSEUINT,      /* strconv.ParseUint: parsing "<s>": invalid syntax|value out of range */
    CEL_SEMVER_PRE_EMPTY,      /* Prerelease is empty */
    CEL_SEMVER_PRE_ZERO,       /* Numeric PreRelease version must not contain leading zeroes "<s>" */
    CEL_SEMVER_PRE_CHARS,      /* Invalid character(s) found in prerelease "<s>" */
    CEL_SEMVER_BUILD_EMPTY,    /* Build meta data is empty */
    CEL_SEMVER_BUILD_CHARS,    /* Invalid character(s) found in build meta data "<s>" */
    CEL_SEMVER_SHORT_META      /* short version cannot contain PreRelease/Build meta data */
} cel_semver_reason;

typedef struct cel_semver_err {
    int reason;       /* cel_semver_reason */
    int part;         /* 0 major, 1 minor, 2 patch (CHARS, LEADING_ZERO, PARSEUINT) */
    bool range;       /* PARSEUINT: out of range rather than a syntax error */
    size_t off, len;  /* the quoted text, in the string that was parsed */
} cel_semver_err;

/* semver.Parse(s). */
bool cel_semver_parse(const char *s, size_t n, cel_semver *out, cel_semver_err *err);

/* normalizeAndParse's rewrite of s into out (room for n + 5 bytes): drop a
 * leading "v", strip leading zeros of each part, fill in missing minor and
 * patch. False (err set) for a short version with prerelease or build. */
bool cel_semver_normalize(const char *s, size_t n, char *out, size_t *out_len,
                          cel_semver_err *err);

/* Version.Compare: -1, 0, 1 (the build part does not count). */
int cel_semver_compare(const cel_semver *a, const cel_semver *b);

/* The error text for a failed parse of s[0..n) (snprintf-like). */
size_t cel_semver_error(const char *s, size_t n, const cel_semver_err *e, char *buf, size_t cap);

#endif
