// bench/cel/peers.mjs: the JS peers' side of bench/cel: @bufbuild/cel and
// @marcbachmann/cel-js on the same expanded cases as celgate's driver
// (cel_bench.c), with cidr()/containsCIDR from k8s_net.mjs.
//
// Prints one JSON line per peer, in the form cel_bench prints: results on
// the case's input and its checks, then one compile sample (what the peer
// needs before it can evaluate: @bufbuild/cel parse + plan, cel-js parse +
// type check) and one evaluation sample, in ns, each over about MS ms after
// a warm-up so that V8 has optimised the hot paths.
//   node bench/cel/peers.mjs CASES.json [MS]
import { readFileSync } from 'node:fs'
import { celEnv, celFunc, celMethod, CelScalar, isCelError, parse, plan } from '@bufbuild/cel'
import { Environment } from '@marcbachmann/cel-js'
import { containsCIDR, parseCIDR } from './k8s_net.mjs'

const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const ms = Number(process.argv[3] ?? 200)
// Read from the installed package (its exports do not list package.json).
const version = name =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version

// ---------------------------------------------------------------- @bufbuild/cel
// A CIDR travels as bytes (the only carrier its function calls accept).
const bufEnv = celEnv({
  funcs: [
    celFunc('cidr', [CelScalar.STRING], CelScalar.BYTES, s => parseCIDR(s)),
    celMethod('containsCIDR', CelScalar.BYTES, [CelScalar.STRING], CelScalar.BOOL,
      function (s) { return containsCIDR(this, parseCIDR(s)) }),
    celMethod('containsCIDR', CelScalar.BYTES, [CelScalar.BYTES], CelScalar.BOOL,
      function (o) { return containsCIDR(this, o) })
  ]
})

const bufbuild = {
  name: '@bufbuild/cel',
  version: version('@bufbuild/cel'),
  compile: expr => plan(bufEnv, parse(expr)),
  eval: (prog, object, variables) => prog({ object, variables }),
  isError: v => isCelError(v)
}

// ---------------------------------------------------------------- cel-js
class CIDR {
  constructor (bytes) { this.bytes = bytes }
}
const celjsEnv = new Environment({ unlistedVariablesAreDyn: false })
  .registerType('net.CIDR', CIDR)
  .registerVariable('object', 'dyn')
  .registerVariable('variables', 'map')
  .registerFunction('cidr(string): net.CIDR', s => new CIDR(parseCIDR(s)))
  .registerFunction({
    name: 'containsCIDR',
    receiverType: 'net.CIDR',
    returnType: 'bool',
    handler: (r, s) => containsCIDR(r.bytes, parseCIDR(s)),
    params: [{ name: 'other', type: 'string' }]
  })
  .registerFunction({
    name: 'containsCIDR',
    receiverType: 'net.CIDR',
    returnType: 'bool',
    handler: (r, o) => containsCIDR(r.bytes, o.bytes),
    params: [{ name: 'other', type: 'net.CIDR' }]
  })

const celjs = {
  name: '@marcbachmann/cel-js',
  version: version('@marcbachmann/cel-js'),
  compile: expr => {
    const f = celjsEnv.parse(expr)
    const c = f.check()
    if (!c.valid) throw c.error
    return f
  },
  eval: (prog, object, variables) => prog({ object, variables }),
  isError: v => v instanceof Error
}

// ---------------------------------------------------------------- driver
function result (peer, prog, object, variables) {
  let v
  try {
    v = peer.eval(prog, object, variables)
  } catch (e) {
    return `error: ${e.message}`
  }
  if (peer.isError(v)) return `error: ${v.message}`
  return typeof v === 'boolean' ? String(v) : `unexpected ${typeof v}: ${String(v)}`
}

function timeEval (peer, prog, object, variables) {
  let n = 64
  for (;;) {
    const t0 = process.hrtime.bigint()
    let bad = 0
    for (let i = 0; i < n; i++) if (peer.eval(prog, object, variables) !== true) bad++
    const dt = Number(process.hrtime.bigint() - t0)
    if (bad) throw new Error(`${peer.name}: ${bad} timed evaluations were not true`)
    if (dt >= ms * 1e6) return dt / n
    n = Math.max(n * 2, Math.ceil(ms * 1e6 * 1.1 / Math.max(dt, 1000) * n))
  }
}

function timeCompile (peer, expr, budgetMs) {
  let n = 0
  const t0 = process.hrtime.bigint()
  let dt
  do {
    peer.compile(expr)
    n++
    dt = Number(process.hrtime.bigint() - t0)
  } while (dt < budgetMs * 1e6)
  return dt / n
}

let status = 0
for (const peer of [bufbuild, celjs]) {
  const out = { impl: peer.name, version: peer.version, cases: [] }
  for (const c of cases) {
    let prog
    try {
      prog = peer.compile(c.expr)
    } catch (e) {
      out.cases.push({ name: c.name, results: [`compile error: ${e.message}`], compile_ns: [], eval_ns: [] })
      status = 1
      continue
    }
    const results = [result(peer, prog, c.object, c.variables),
      ...c.checks.map(k => result(peer, prog, k.object, k.variables))]
    timeCompile(peer, c.expr, ms / 8) // warm-up
    const compileNs = timeCompile(peer, c.expr, ms / 4)
    let evalNs = null
    if (results[0] === 'true') {
      timeEval(peer, prog, c.object, c.variables) // warm-up
      evalNs = timeEval(peer, prog, c.object, c.variables)
    }
    out.cases.push({ name: c.name, results, compile_ns: [compileNs], eval_ns: evalNs === null ? [] : [evalNs] })
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}
process.exitCode = status
