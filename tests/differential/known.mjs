// tests/differential/known.mjs: where @bufbuild/cel departs from the CEL
// specification and from cel-go (the reference implementation), so that a
// disagreement there is the peer's, not celgate's. Each id is explained,
// with its spec reference, in known-deviations.md.
//
// CORRECTIONS are the standard functions the peer implements differently,
// re-implemented as cel-go does them (Go's strconv) and handed to the peer
// as overrides: a disagreement that one of them removes is counted under
// its id. KNOWN are the deviations in the peer's parser and literals,
// which no function override can reach: they are recognised on the
// minimised expression.

import { celFunc, celUint, CelScalar, isCelError, run } from "@bufbuild/cel";
import { RE2JS } from "@bufbuild/re2";

const { BOOL, DOUBLE, INT, STRING, UINT } = CelScalar;

const INT_MIN = -(2n ** 63n), INT_MAX = 2n ** 63n - 1n, UINT_MAX = 2n ** 64n - 1n;
const quote = (s) => JSON.stringify(s);

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits only.
export function goParseInt(s) {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${quote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT_MIN || v > INT_MAX) throw new Error(`strconv.ParseInt: parsing ${quote(s)}: value out of range`);
  return v;
}

// strconv.ParseUint(s, 10, 64): decimal digits only, no sign.
export function goParseUint(s) {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${quote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > UINT_MAX) throw new Error(`strconv.ParseUint: parsing ${quote(s)}: value out of range`);
  return celUint(v);
}

// strconv.ParseFloat(s, 64): Go float literal syntax (decimal, or
// hexadecimal with a 'p' exponent; '_' only between digits), "inf",
// "infinity" and "nan" in any case (a sign only before inf); a finite text
// beyond the double range is a range error.
const D = "[0-9](?:_?[0-9])*", H = "[0-9a-fA-F](?:_?[0-9a-fA-F])*";
const DEC = new RegExp(`^[+-]?(?:${D}(?:\\.(?:${D})?)?|\\.${D})(?:[eE][+-]?${D})?$`);
const HEX = new RegExp(`^([+-]?)0[xX]_?(${H})?(?:\\.(${H})?)?[pP]([+-]?${D})$`);
export function goParseFloat(s) {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  let v;
  const hex = HEX.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const whole = (hex[2] || "").replace(/_/g, ""), frac = (hex[3] || "").replace(/_/g, "");
    const mant = BigInt("0x" + (whole + frac || "0"));
    v = Number(mant) * 2 ** (Number(hex[4].replace(/_/g, "")) - 4 * frac.length);
    if (hex[1] === "-") v = -v;
  } else if (DEC.test(s)) {
    v = Number(s.replace(/_/g, ""));
  } else {
    throw new Error(`strconv.ParseFloat: parsing ${quote(s)}: invalid syntax`);
  }
  if (!Number.isFinite(v)) throw new Error(`strconv.ParseFloat: parsing ${quote(s)}: value out of range`);
  return v;
}

// strconv.ParseBool.
export function goParseBool(s) {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${quote(s)}: invalid syntax`);
}

// strconv.FormatFloat(x, 'g', -1, 64): the shortest digits that read back
// as x (as JS finds them too), in %e form when the exponent is below -4 or
// at least 6 (Go's precision for the shortest form), with a signed
// exponent of at least two digits; "+Inf", "-Inf", "NaN"; "-0".
export function goFormatFloat(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  if (x === 0) return sign + "0";
  const [m, e] = Math.abs(x).toExponential().split("e");
  const digits = m.replace(".", "");
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? "." + digits.slice(1) : "";
    return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return sign + int + (frac ? "." + frac : "");
}

// Strings in code point order: UTF-8 byte order is the same order.
const cmpCodePoints = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

export const CORRECTIONS = [
  {
    id: "peer-string-to-number",
    funcs: [
      celFunc("int", [STRING], INT, goParseInt),
      celFunc("uint", [STRING], UINT, goParseUint),
      celFunc("double", [STRING], DOUBLE, goParseFloat),
    ],
  },
  { id: "peer-string-to-bool", funcs: [celFunc("bool", [STRING], BOOL, goParseBool)] },
  { id: "peer-double-to-string", funcs: [celFunc("string", [DOUBLE], STRING, goFormatFloat)] },
  {
    id: "peer-string-order-utf16",
    funcs: [
      celFunc("_<_", [STRING, STRING], BOOL, (a, b) => cmpCodePoints(a, b) < 0),
      celFunc("_<=_", [STRING, STRING], BOOL, (a, b) => cmpCodePoints(a, b) <= 0),
      celFunc("_>_", [STRING, STRING], BOOL, (a, b) => cmpCodePoints(a, b) > 0),
      celFunc("_>=_", [STRING, STRING], BOOL, (a, b) => cmpCodePoints(a, b) >= 0),
    ],
  },
  {
    id: "peer-uint-division",
    funcs: [celFunc("_/_", [UINT, UINT], UINT, (l, r) => {
      if (r.value === 0n) throw new Error("divide by zero");
      return celUint(l.value / r.value);
    })],
  },
  {
    id: "peer-int-min-modulo",
    funcs: [celFunc("_%_", [INT, INT], INT, (l, r) => {
      if (r === 0n) throw new Error("modulus by zero");
      if (l === INT_MIN && r === -1n) throw new Error("integer overflow");
      return l % r;
    })],
  },
  {
    id: "peer-no-global-matches",
    funcs: [celFunc("matches", [STRING, STRING], BOOL, (s, re) => RE2JS.compile(re).test(s))],
  },
];

const isError = (r) => "error" in r;

// Whether the text has two numeric map keys of equal value, one of them a
// uint literal (`2u: ..., 2U: ...`, `1: ..., 1u: ...`).
function repeatsUintKey(expr) {
  const seen = new Map();
  for (const m of expr.matchAll(/(?<![\w.])(0[xX][0-9a-fA-F]+|[0-9]+)([uU]?)\s*:/g)) {
    const v = BigInt(m[1]), u = m[2] !== "";
    if (seen.has(v) && (u || seen.get(v))) return true;
    seen.set(v, u || seen.get(v) || false);
  }
  return false;
}

// Whether a result holds a map with two keys of equal numeric value.
function hasRepeatedKeys(v) {
  if (!v || typeof v !== "object") return false;
  if (Array.isArray(v.list)) return v.list.some(hasRepeatedKeys);
  if (Array.isArray(v.map)) {
    const keys = v.map.map(([k]) => ("int" in k ? k.int : "uint" in k ? k.uint : JSON.stringify(k)));
    return new Set(keys).size !== keys.length || v.map.some(([, x]) => hasRepeatedKeys(x));
  }
  return false;
}

// Whether some string literal of the text is a pattern that the peer's own
// RE2 refuses.
function hasInvalidRegexLiteral(expr) {
  for (const m of expr.matchAll(/r?'(?:[^'\\\n]|\\.)*'|r?"(?:[^"\\\n]|\\.)*"/g)) {
    const v = run(m[0], {});
    if (typeof v !== "string" || isCelError(v)) continue;
    try {
      RE2JS.compile(v);
    } catch {
      return true;
    }
  }
  return false;
}

export const KNOWN = [
  {
    // ''.matches('(a)\\1') where matches is never reached: celgate refuses
    // the expression when it compiles, as Kubernetes does
    // (cel.ValidateRegexLiterals); the peer only fails if it runs it.
    id: "compile-time-regex-literals",
    match: (expr, cg) => isError(cg) && cg.error.startsWith("ERROR: <input>") &&
      /error parsing regexp/.test(cg.error) && hasInvalidRegexLiteral(expr),
  },
  {
    // {1u: 'a', 1u: 'b'}, {1: 'a', 1u: 'b'}: the peer keeps both entries.
    id: "peer-repeated-uint-keys",
    match: (expr, cg, peer) => isError(cg) && /repeated key/.test(cg.error) && !isError(peer) &&
      (repeatsUintKey(expr) || hasRepeatedKeys(peer.value)),
  },
  {
    // -(-(-9223372036854775808)): the peer folds the negations into the
    // literal, so the overflow of -(-2^63) is never computed.
    id: "peer-negation-folding",
    match: (expr, cg, peer) => isError(cg) && /overflow/.test(cg.error) && !isError(peer) &&
      /^[-(\s]*9223372036854775808[)\s]*$/.test(expr),
  },
];
