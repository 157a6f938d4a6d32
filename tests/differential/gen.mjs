// tests/differential/gen.mjs: a seeded generator of random well-typed CEL
// expressions over int, uint, double, string, bytes, bool, lists and maps,
// with the standard macros and the standard functions that both celgate and
// @bufbuild/cel implement. Expressions are trees (so that a disagreement can
// be minimised by replacing subtrees) that render to CEL text. Well-typed
// means cel-go's checker accepts them: operands of one operator share a
// type, and mixed numeric comparisons go through dyn().
//
// Node: {type, kids, fmt(kidTexts) -> text, op, binds?}
//   op     a label for grouping disagreements by cause ("_+_(int,int)")
//   binds  for macros: the variable the body kids (index >= 1) may use

// A small, fast PRNG (mulberry32) so that one seed always gives the same
// expressions, on any machine and Node version.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    big64: () => {
      let v = 0n;
      for (let i = 0; i < 4; i++) v = (v << 16n) | BigInt(Math.floor(next() * 65536));
      return v;
    },
  };
}

// ------------------------------------------------------------------ types

export const T = {
  int: { k: "int" },
  uint: { k: "uint" },
  double: { k: "double" },
  string: { k: "string" },
  bytes: { k: "bytes" },
  bool: { k: "bool" },
  list: (e) => ({ k: "list", e }),
  map: (key, val) => ({ k: "map", key, val }),
};
export const SCALARS = ["int", "uint", "double", "string", "bytes", "bool"];
const KEY_TYPES = ["int", "uint", "bool", "string"];

export function typeName(t) {
  if (t.k === "list") return `list(${typeName(t.e)})`;
  if (t.k === "map") return `map(${typeName(t.key)}, ${typeName(t.val)})`;
  return t.k;
}
const same = (a, b) => typeName(a) === typeName(b);

// ------------------------------------------------------------------ nodes

const leaf = (type, text, op) => ({ type, kids: [], fmt: () => text, op: op || `lit:${type.k}` });
const node = (type, op, kids, fmt, binds) => ({ type, kids, fmt, op, binds });

export function render(n) {
  return n.fmt(n.kids.map(render));
}

// Variables a node uses that it does not bind itself.
export function freeVars(n) {
  if (n.varName) return new Set([n.varName]);
  const out = new Set();
  n.kids.forEach((k, i) => {
    for (const v of freeVars(k)) if (!(n.binds && i >= 1 && v === n.binds)) out.add(v);
  });
  return out;
}

// ------------------------------------------------------------------ literals

// Small values mostly, so that arithmetic gives values; the edges of the
// ranges sometimes.
const SMALL_INTS = [0n, 1n, -1n, 2n, 3n, 5n, 7n, -7n, 10n, 42n, 100n, 255n, 1000n, 65536n];
const EDGE_INTS = [2147483647n, -2147483648n, 4294967296n, 9223372036854775807n, -9223372036854775807n,
  -9223372036854775808n, 4611686018427387904n, 3037000499n, 3037000500n];
const SMALL_UINTS = [0n, 1n, 2n, 3n, 10n, 42n, 255n, 1000n];
const EDGE_UINTS = [4294967295n, 4294967296n, 9223372036854775807n, 9223372036854775808n,
  18446744073709551615n, 4294967297n];
const DOUBLES = [0, 0.5, 1, 1.5, -2.25, 3.14159, 10, 100, 1e6, 1e15, 1e16, 1e17, 1e21,
  1e22, 1e-4, 1e-5, 1e-7, 123456789.125, 0.1, 0.2, 0.3, 2.5e-3, 1e100, 1e308, 1.7976931348623157e308,
  5e-324, 2.2250738585072014e-308, 9007199254740992, 9007199254740993, 9.223372036854775807e18,
  -9.223372036854775808e18, 1.8446744073709552e19, 4.5, -0.5, 2.5, -1.5, 1 / 3];
const STRING_PIECES = ["", "a", "b", "abc", "A", "Z", "hello", " ", "a b", "0", "12", "-5",
  "3.5", "1e3", "true", "false", "é", "ü", "日本", "😀", "\u0007", "\n", "\t", "'", '"', "\\",
  "aa", "ab", "ba", "abcabc", "x.y", "[a]", "ß", "İ", "\u00ad", "\u200b", "\u{10ffff}", "ｱ", "\ufffd", "\uffff", "\ue000"];
const BYTE_PIECES = [[], [0x61], [0x61, 0x62, 0x63], [0xff], [0x00], [0xc3, 0xa9], [0x80],
  [0xe6, 0x97, 0xa5], [0x7f], [0xf0, 0x9f, 0x98, 0x80], [0xed, 0xa0, 0x80], [0x41, 0x00, 0x42]];
// Text of strings that int(), uint(), double() and bool() may be given:
// mostly well-formed, then the edges of each parser.
const GOOD_NUMERIC_TEXT = ["0", "1", "42", "-1", "7", "100", "3.5", "-2.25", "1e3", "0.1", "true", "false"];
const NUMERIC_TEXT = ["0", "1", "-1", "42", "+5", "007", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "18446744073709551615", "18446744073709551616",
  "1.5", "-0.0", "1e3", "1E-2", ".5", "5.", "inf", "-Inf", "Infinity", "NaN", "nan", "0x10",
  "1_000", " 1", "1 ", "", "abc", "1e400", "true", "false", "TRUE", "True", "t", "f", "1", "0",
  "FALSE", "yes", "T", "F", "1_000", "1__0", "_1", "0x1p-2", "0x1.8p1", "1e-400", "+nan", "infin",
  "1e1_0", "00", "-0", "+0", "1e+308", "4.9e-324"];

function cStringLiteral(r, s) {
  // Escapes CEL understands, chosen at random where several would do.
  const q = r.chance(0.5) ? "'" : '"';
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += r.pick(["\\n", "\\012", "\\x0a", "\\u000a"]);
    else if (ch === "\t") out += r.pick(["\\t", "\\x09"]);
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (cp > 0x7f && r.chance(0.3))
      out += cp > 0xffff ? "\\U" + cp.toString(16).padStart(8, "0") : "\\u" + cp.toString(16).padStart(4, "0");
    else out += ch;
  }
  return q + out + q;
}

function bytesLiteral(r, bs) {
  const q = r.chance(0.5) ? "'" : '"';
  let out = "";
  for (const b of bs) {
    if (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x22 && b !== 0x5c && r.chance(0.7)) out += String.fromCharCode(b);
    else if (r.chance(0.5)) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += "\\" + b.toString(8).padStart(3, "0");
  }
  return "b" + q + out + q;
}

// A JS number as a CEL double literal (finite only).
export function doubleText(x) {
  let s = String(Math.abs(x));
  if (!/[.e]/.test(s)) s += ".0";
  else if (/^\d+e/.test(s)) s = s.replace("e", ".0e");
  return (x < 0 || Object.is(x, -0) ? "-" : "") + s;
}

function literal(r, t) {
  switch (t.k) {
    case "int": {
      const roll = r.next();
      const v = roll < 0.75 ? r.pick(SMALL_INTS) : roll < 0.9 ? r.pick(EDGE_INTS) : BigInt.asIntN(64, r.big64());
      if (v >= 0n && r.chance(0.15)) return leaf(t, "0x" + v.toString(16));
      return leaf(t, v.toString());
    }
    case "uint": {
      const roll = r.next();
      const v = roll < 0.75 ? r.pick(SMALL_UINTS) : roll < 0.9 ? r.pick(EDGE_UINTS) : r.big64();
      if (r.chance(0.15)) return leaf(t, "0x" + v.toString(16) + "u");
      return leaf(t, v.toString() + (r.chance(0.5) ? "u" : "U"));
    }
    case "double": {
      const x = r.chance(0.85) ? r.pick(DOUBLES) * (r.chance(0.3) ? -1 : 1) : (r.next() - 0.5) * 10 ** r.int(30);
      return leaf(t, doubleText(x));
    }
    case "string": {
      let s = "";
      for (let i = r.int(3); i > 0; i--) s += r.pick(STRING_PIECES);
      if (r.chance(0.1) && !/['\\\r\n]/.test(s)) return leaf(t, "r'" + s + "'");
      if (r.chance(0.05) && !/'|\\|\r/.test(s)) return leaf(t, "'''" + s + "\n" + s + "'''");
      return leaf(t, cStringLiteral(r, s));
    }
    case "bytes": {
      let bs = [];
      for (let i = r.int(3); i > 0; i--) bs = bs.concat(r.pick(BYTE_PIECES));
      return leaf(t, bytesLiteral(r, bs));
    }
    case "bool":
      return leaf(t, r.chance(0.5) ? "true" : "false");
    case "list":
      return listLiteral(r, t, 0, new Map());
    case "map":
      return mapLiteral(r, t, 0, new Map());
  }
  throw new Error("no literal for " + typeName(t));
}

// The simplest value of a type, for minimisation.
export function simplest(t) {
  switch (t.k) {
    case "int": return leaf(t, "0");
    case "uint": return leaf(t, "0u");
    case "double": return leaf(t, "0.0");
    case "string": return leaf(t, "''");
    case "bytes": return leaf(t, "b''");
    case "bool": return leaf(t, "true");
    case "list": return node(t, "lit:list", [simplest(t.e)], (k) => `[${k[0]}]`);
    case "map": return node(t, "lit:map", [simplest(t.key), simplest(t.val)], (k) => `{${k[0]}: ${k[1]}}`);
  }
}

// ------------------------------------------------------------------ generation

// vars: Map name -> type of the comprehension variables in scope.
function listLiteral(r, t, depth, vars) {
  const n = r.int(4);
  const kids = [];
  for (let i = 0; i < n; i++) kids.push(gen(r, t.e, depth + 1, vars));
  if (n === 0) {
    // An empty literal is list(dyn) to the checker: keep the element type.
    kids.push(gen(r, t.e, depth + 1, vars));
    return node(t, "lit:list", kids, (k) => `[${k[0]}].filter(e, false)`);
  }
  return node(t, "lit:list", kids, (k) => `[${k.join(", ")}]`);
}

function mapLiteral(r, t, depth, vars) {
  const n = 1 + r.int(3);
  const kids = [];
  const keys = new Set();
  for (let i = 0; i < n; i++) {
    // Keys are mostly distinct literals: a repeated key is an error in both,
    // which teaches little when it happens every time.
    let key = r.chance(0.85) ? literal(r, t.key) : gen(r, t.key, depth + 1, vars);
    if (keys.has(render(key)) && r.chance(0.9)) continue;
    keys.add(render(key));
    kids.push(key, gen(r, t.val, depth + 1, vars));
  }
  return node(t, "lit:map", kids, (k) => {
    const parts = [];
    for (let i = 0; i < k.length; i += 2) parts.push(`${k[i]}: ${k[i + 1]}`);
    return `{${parts.join(", ")}}`;
  });
}

function randomType(r, depth) {
  const roll = r.next();
  if (depth > 2 || roll < 0.7) return T[r.pick(SCALARS)];
  if (roll < 0.88) return T.list(randomType(r, depth + 1));
  return T.map(T[r.pick(KEY_TYPES)], randomType(r, depth + 1));
}

const MAX_DEPTH = 4;
const VAR_NAMES = ["x", "y", "z", "w"];

function freshVar(vars) {
  for (const v of VAR_NAMES) if (!vars.has(v)) return v;
  return null;
}

// A macro over a list or map of random element type, giving type t:
// builds range (kid 0) and the body kids that see variable v.
function comprehension(r, t, depth, vars, macro) {
  const v = freshVar(vars);
  if (!v) return null;
  const overMap = r.chance(0.25);
  const range = overMap ? T.map(T[r.pick(KEY_TYPES)], randomType(r, depth + 1)) : T.list(randomType(r, depth + 1));
  const elem = overMap ? range.key : range.e;
  const inner = new Map(vars);
  inner.set(v, elem);
  const rangeNode = gen(r, range, depth + 1, vars);
  const body = (bt) => gen(r, bt, depth + 1, inner);
  const on = `${macro}(${typeName(range)})`;
  switch (macro) {
    case "all": case "exists": case "exists_one":
      return node(t, on, [rangeNode, body(T.bool)], (k) => `${k[0]}.${macro}(${v}, ${k[1]})`, v);
    case "map":
      if (r.chance(0.3))
        return node(t, on, [rangeNode, body(T.bool), body(t.e)], (k) => `${k[0]}.map(${v}, ${k[1]}, ${k[2]})`, v);
      return node(t, on, [rangeNode, body(t.e)], (k) => `${k[0]}.map(${v}, ${k[1]})`, v);
    case "filter": {
      // filter keeps elements: the result is list(elem), so the range must
      // be a list of t.e or a map keyed by t.e.
      const fr = r.chance(0.25) && KEY_TYPES.includes(t.e.k) ? T.map(t.e, randomType(r, depth + 1)) : T.list(t.e);
      const fin = new Map(vars);
      fin.set(v, t.e);
      return node(t, `filter(${typeName(fr)})`, [gen(r, fr, depth + 1, vars), gen(r, T.bool, depth + 1, fin)],
        (k) => `${k[0]}.filter(${v}, ${k[1]})`, v);
    }
  }
  return null;
}

const bin = (t, op, a, b) => node(t, `_${op}_(${typeName(a.type)},${typeName(b.type)})`, [a, b], (k) => `(${k[0]} ${op} ${k[1]})`);
const call = (t, fn, args) => node(t, `${fn}(${args.map((a) => typeName(a.type)).join(",")})`, args, (k) => `${fn}(${k.join(", ")})`);
const method = (t, fn, recv, args) => node(t, `${typeName(recv.type)}.${fn}(${args.map((a) => typeName(a.type)).join(",")})`,
  [recv, ...args], (k) => `${k[0]}.${fn}(${k.slice(1).join(", ")})`);

function numericText(r) {
  const text = r.chance(0.6) ? r.pick(GOOD_NUMERIC_TEXT) : r.pick(NUMERIC_TEXT);
  return leaf(T.string, cStringLiteral(r, text), "lit:numeric-string");
}

// One expression of type t. Returns a node.
export function gen(r, t, depth = 0, vars = new Map()) {
  // Leaves: a literal, or a comprehension variable of the right type.
  const inScope = [...vars].filter(([, vt]) => same(vt, t));
  if (depth >= MAX_DEPTH || r.chance(depth === 0 ? 0.02 : 0.3)) {
    if (inScope.length && r.chance(0.6)) {
      const [name] = r.pick(inScope);
      return { type: t, kids: [], fmt: () => name, op: "var", varName: name };
    }
    return literal(r, t);
  }
  const sub = (st) => gen(r, st, depth + 1, vars);
  for (let attempt = 0; attempt < 8; attempt++) {
    const n = pickRule(r, t, depth, vars, sub);
    if (n) return n;
  }
  return literal(r, t);
}

// Shared forms of any type: conditional, list index, map lookup.
function anyTypeRule(r, t, depth, vars, sub) {
  switch (r.int(3)) {
    case 0: return node(t, "_?_:_", [sub(T.bool), sub(t), sub(t)], (k) => `(${k[0]} ? ${k[1]} : ${k[2]})`);
    case 1: return node(t, `index(list)`, [sub(T.list(t)), sub(T.int)], (k) => `${k[0]}[${k[1]}]`);
    case 2: {
      const kt = T[r.pick(KEY_TYPES)];
      return node(t, `index(map(${kt.k}))`, [sub(T.map(kt, t)), sub(kt)], (k) => `${k[0]}[${k[1]}]`);
    }
  }
}

function pickRule(r, t, depth, vars, sub) {
  if (r.chance(0.15)) return anyTypeRule(r, t, depth, vars, sub);
  switch (t.k) {
    case "int": {
      const ops = ["+", "-", "*", "/", "%"];
      switch (r.int(9)) {
        case 0: case 1: return bin(t, r.pick(ops), sub(T.int), sub(T.int));
        case 2: return node(t, "-_(int)", [sub(T.int)], (k) => `-(${k[0]})`);
        case 3: return call(t, "int", [sub(T.uint)]);
        case 4: return call(t, "int", [sub(T.double)]);
        case 5: return call(t, "int", [r.chance(0.9) ? numericText(r) : sub(T.string)]);
        case 6: {
          const st = r.pick([T.string, T.bytes, T.list(randomType(r, depth)), T.map(T[r.pick(KEY_TYPES)], randomType(r, depth))]);
          return r.chance(0.5) ? call(t, "size", [sub(st)]) : method(t, "size", sub(st), []);
        }
        case 7: return bin(t, r.pick(ops), sub(T.int), literal(r, T.int));
        case 8: return call(t, "int", [sub(T.int)]);
      }
      break;
    }
    case "uint": {
      const ops = ["+", "+", "-", "*", "/", "%"];
      switch (r.int(5)) {
        case 0: case 1: return bin(t, r.pick(ops), sub(T.uint), sub(T.uint));
        case 2: return call(t, "uint", [sub(T.int)]);
        case 3: return call(t, "uint", [sub(T.double)]);
        case 4: return call(t, "uint", [r.chance(0.9) ? numericText(r) : sub(T.string)]);
      }
      break;
    }
    case "double": {
      const ops = ["+", "-", "*", "/"];
      switch (r.int(6)) {
        case 0: case 1: return bin(t, r.pick(ops), sub(T.double), sub(T.double));
        case 2: return node(t, "-_(double)", [sub(T.double)], (k) => `-(${k[0]})`);
        case 3: return call(t, "double", [sub(T.int)]);
        case 4: return call(t, "double", [sub(T.uint)]);
        case 5: return call(t, "double", [r.chance(0.9) ? numericText(r) : sub(T.string)]);
      }
      break;
    }
    case "string": {
      switch (r.int(7)) {
        case 0: case 1: return bin(t, "+", sub(T.string), sub(T.string));
        case 2: return call(t, "string", [sub(T.int)]);
        case 3: return call(t, "string", [sub(T.uint)]);
        case 4: return call(t, "string", [sub(T.double)]);
        case 5: return call(t, "string", [sub(r.chance(0.5) ? T.bytes : T.bool)]);
        case 6: return call(t, "string", [sub(T.string)]);
      }
      break;
    }
    case "bytes": {
      switch (r.int(3)) {
        case 0: return bin(t, "+", sub(T.bytes), sub(T.bytes));
        case 1: return call(t, "bytes", [sub(T.string)]);
        case 2: return call(t, "bytes", [sub(T.bytes)]);
      }
      break;
    }
    case "bool": return boolRule(r, t, depth, vars, sub);
    case "list": {
      switch (r.int(5)) {
        case 0: case 1: return listLiteral(r, t, depth, vars);
        case 2: return bin(t, "+", sub(t), sub(t));
        case 3: return comprehension(r, t, depth, vars, "map");
        case 4: return comprehension(r, t, depth, vars, "filter");
      }
      break;
    }
    case "map":
      return mapLiteral(r, t, depth, vars);
  }
  return null;
}

// RE2 syntax, including what PCRE reads differently or RE2 refuses
// (backreferences, lookaround, possessive repeats): celgate translates RE2
// to PCRE2, the peer runs a port of RE2.
const REGEXES = ["a", "^a", "c$", "^$", "b+", "a.c", "[a-c]+", "^[^a]*$", "x|y", "\\d", "\\d+",
  "\\s", "\\w+", "(ab)+", "a{2}", "é", ".", "^.$", "(?i)A", "\\.", "[[:alpha:]]", "\\pL", "a*?",
  "\\pN", "\\p{Greek}", "\\p{Han}", "\\PL", "[[:^alpha:]]", "[[:digit:][:space:]]", "(?s).", "(?m)^b",
  "\\A", "a\\z", "\\b", "\\Bb", "[^\\n]", "(?U)a+", "\\Qa.b\\E", "a{2,}", "a{,2}", "(?P<n>a)",
  "(a)\\1", "(?=a)", "(?!a)", "a*+", "a++", "\\C", "\\x{263a}", "\\x41", "(?i)k", "(?i)ß", "(?i)σ",
  "[\\d-z]", "[\\s-z]", "[\\S-z]", "[[:alpha:]-9]", "[\\pL-]", "[\\w-\\d]", "[a-z-\\d]", "[\\d--/]", "\\z", "$", "^", "(|a)", "a|", "()", "(?:a|b)*c", "[a-]", "[]a]", "\\u0041", "\\N{ANY}",
  "(?i)[k]", "\\v", "\\h", "\\R", "\\X", "\\G", "\\Z", "a{1000}", "a{1001}", "((a))", "(?#c)a", "\\e", "\\cA"];
// Subjects for them: case foldings, scripts, line ends.
const REGEX_SUBJECTS = ["", "a", "abc", "aa", "k", "K", "\u212a", "ß", "SS", "ẞ", "σ", "Σ", "ς", "αβγ", "漢字",
  "a\nb", "\nb", "b\n", "a.b", "x", "1 2", "٣", "Ⅻ", "\u263a", "A", "aaa", "\u000b", "\u0085", "\r\n"];

function boolRule(r, t, depth, vars, sub) {
  switch (r.int(16)) {
    case 0: return node(t, "!_", [sub(T.bool)], (k) => `!(${k[0]})`);
    case 1: return bin(t, "&&", sub(T.bool), sub(T.bool));
    case 2: return bin(t, "||", sub(T.bool), sub(T.bool));
    case 3: case 4: {
      // Same-type comparison.
      const ct = r.chance(0.8) ? T[r.pick(SCALARS)] : randomType(r, depth);
      const ordered = ct.k !== "list" && ct.k !== "map";
      const op = r.pick(ordered ? ["==", "!=", "<", "<=", ">", ">="] : ["==", "!="]);
      return bin(t, op, sub(ct), sub(ct));
    }
    case 5: {
      // Mixed numeric types, through dyn() so that the checker accepts it.
      const a = T[r.pick(["int", "uint", "double"])], b = T[r.pick(["int", "uint", "double"])];
      const op = r.pick(["==", "!=", "<", "<=", ">", ">="]);
      return node(t, `dyn_${op}_(${a.k},${b.k})`, [sub(a), sub(b)], (k) => `(dyn(${k[0]}) ${op} dyn(${k[1]}))`);
    }
    case 6: {
      const et = T[r.pick(SCALARS)];
      return node(t, `in(list(${et.k}))`, [sub(et), sub(T.list(et))], (k) => `(${k[0]} in ${k[1]})`);
    }
    case 7: {
      const kt = T[r.pick(KEY_TYPES)];
      return node(t, `in(map(${kt.k}))`, [sub(kt), sub(T.map(kt, randomType(r, depth)))], (k) => `(${k[0]} in ${k[1]})`);
    }
    case 8: {
      const fn = r.pick(["contains", "startsWith", "endsWith"]);
      return method(t, fn, sub(T.string), [sub(T.string)]);
    }
    case 9: {
      const re = leaf(T.string, cStringLiteral(r, r.pick(REGEXES)), "lit:regex");
      const subject = r.chance(0.6) ? leaf(T.string, cStringLiteral(r, r.pick(REGEX_SUBJECTS))) : sub(T.string);
      return r.chance(0.7) ? method(t, "matches", subject, [re]) : call(t, "matches", [subject, re]);
    }
    case 10: return comprehension(r, t, depth, vars, r.pick(["all", "exists", "exists_one"]));
    case 11: {
      // has() on a map literal with an identifier key.
      const key = r.pick(["a", "b", "c"]);
      const m = node(T.map(T.string, T.int), "lit:map", [sub(T.int), sub(T.int)], (k) => `{'a': ${k[0]}, 'b': ${k[1]}}`);
      return node(t, "has(map.f)", [m], (k) => `has(${k[0]}.${key})`);
    }
    case 12: {
      const a = randomType(r, depth), b = r.chance(0.5) ? a : randomType(r, depth);
      return node(t, "type(_)==type(_)", [sub(a), sub(b)], (k) => `(type(${k[0]}) == type(${k[1]}))`);
    }
    case 13: {
      const a = T[r.pick(SCALARS)];
      const tn = r.pick(["int", "uint", "double", "string", "bytes", "bool", "list", "map", "null_type", "type"]);
      return node(t, "type(_)==T", [sub(a)], (k) => `(type(${k[0]}) == ${tn})`);
    }
    case 14: return call(t, "bool", [r.chance(0.9) ? numericText(r) : sub(T.string)]);
    case 15: {
      // Heterogeneous equality of lists and maps with numeric elements.
      const a = T[r.pick(["int", "uint", "double"])], b = T[r.pick(["int", "uint", "double"])];
      return node(t, `dyn==(list(${a.k}),list(${b.k}))`, [sub(T.list(a)), sub(T.list(b))], (k) => `(dyn(${k[0]}) == dyn(${k[1]}))`);
    }
  }
  return null;
}

// One top-level expression: a random type, sometimes a container; at most
// 1500 characters, so that a disagreement stays readable.
export function genTop(r) {
  for (;;) {
    const n = gen(r, randomType(r, 0), 0, new Map());
    if (render(n).length <= 1500) return n;
  }
}
