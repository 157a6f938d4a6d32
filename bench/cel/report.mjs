// bench/cel/report.mjs: merges the rounds of bench/cel (JSON lines from
// cel_bench and peers.mjs), refuses to report unless every implementation
// gave the expected result on every input and check, and prints the
// Markdown tables: median ns per evaluation with the spread over rounds,
// the ratio peer/celgate, compile times, and the issue's targets.
//   node bench/cel/report.mjs CASES.json RESULTS.jsonl...
import { readFileSync } from 'node:fs'

const [casesFile, ...resultFiles] = process.argv.slice(2)
const { cases } = JSON.parse(readFileSync(casesFile, 'utf8'))
const impls = new Map() // name -> {version, cases: Map(name -> {results, compile, eval})}
for (const f of resultFiles) {
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue
    const r = JSON.parse(line)
    if (!impls.has(r.impl)) impls.set(r.impl, { version: r.version, cases: new Map() })
    const im = impls.get(r.impl)
    for (const c of r.cases) {
      if (!im.cases.has(c.name)) im.cases.set(c.name, { results: c.results, compile: [], eval: [] })
      const m = im.cases.get(c.name)
      if (JSON.stringify(m.results) !== JSON.stringify(c.results)) m.unstable = true
      m.compile.push(...c.compile_ns)
      m.eval.push(...c.eval_ns)
    }
  }
}

// ---------------------------------------------------------------- correctness
const order = ['celgate', '@bufbuild/cel', '@marcbachmann/cel-js']
const names = order.filter(n => impls.has(n))
const problems = []
const matches = (got, want) => want === 'error' ? /^error: /.test(got) : got === String(want)
for (const c of cases) {
  const wants = [c.expect, ...c.checks.map(k => k.expect)]
  for (const n of names) {
    const m = impls.get(n).cases.get(c.name)
    if (!m) { problems.push(`${n}: no result for ${c.name}`); continue }
    if (m.unstable) problems.push(`${n} ${c.name}: results differ between rounds`)
    wants.forEach((w, i) => {
      if (!matches(m.results[i], w)) {
        problems.push(`${n} ${c.name} ${i ? `check ${i}` : 'input'}: expected ${w}, got ${m.results[i]}`)
      }
    })
  }
}
if (names.length !== order.length) problems.push(`missing implementations: ${order.filter(n => !impls.has(n)).join(', ')}`)
if (problems.length) {
  console.error('bench/cel: the implementations disagree, no figures reported:\n  ' + problems.join('\n  '))
  process.exit(1)
}
// Errors must agree in kind; say whether their texts agree too.
let sameTexts = true
for (const c of cases) {
  const r = names.map(n => JSON.stringify(impls.get(n).cases.get(c.name).results))
  if (r.some(x => x !== r[0])) sameTexts = false
}

// ---------------------------------------------------------------- figures
const median = a => { const s = [...a].sort((x, y) => x - y); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2 }
const spread = a => a.length > 1 ? `±${(50 * (Math.max(...a) - Math.min(...a)) / median(a)).toFixed(0)}%` : ''
const fmt = (v, unit) => v >= 100 ? `${v.toFixed(0)}` : v >= 10 ? v.toFixed(1) : v.toFixed(2)
const cell = (a, div = 1) => a.length ? `${fmt(median(a) / div)} ${spread(a)}`.trim() : 'n/a'
const rounds = Math.min(...names.flatMap(n => [...impls.get(n).cases.values()].map(m => m.eval.length)))

const out = []
out.push(`Median of ${rounds} rounds (celgate and the peers alternate); ± is half the range over the rounds, relative to the median.`)
out.push(`Peers: ${names.slice(1).map(n => `${n} ${impls.get(n).version}`).join(', ')}; Node ${process.version}.`)
out.push(`Correctness: all three gave the expected result on every input and on ${cases.reduce((s, c) => s + c.checks.length, 0)} checks before timing${sameTexts ? ', error texts included' : ' (error texts differ; errors agree as errors)'}.`)
out.push('')
out.push('| expr | celgate ns | @bufbuild/cel ns | cel-js ns | bufbuild/celgate | cel-js/celgate | target |')
out.push('|---|---:|---:|---:|---:|---:|---|')
const misses = []
for (const c of cases) {
  const g = impls.get('celgate').cases.get(c.name).eval
  const peers = names.slice(1).map(n => impls.get(n).cases.get(c.name).eval)
  const gm = median(g)
  const ratios = peers.map(p => median(p) / gm)
  const fastest = Math.min(...ratios)
  const goals = [`≥5x fastest peer: ${fastest >= 5 ? 'met' : `missed (${fastest.toFixed(1)}x)`}`]
  if (fastest < 5) misses.push(`${c.name}: ${fastest.toFixed(1)}x the fastest peer (target 5x)`)
  const abs = { E1: 500, E2: 30 }[c.name]
  if (abs) {
    goals.push(`<${abs} ns: ${gm < abs ? 'met' : `missed (${(gm / abs).toFixed(1)}x over)`}`)
    if (gm >= abs) misses.push(`${c.name}: ${gm.toFixed(0)} ns (target under ${abs} ns)`)
  }
  out.push(`| ${c.name} | ${cell(g)} | ${peers.map(p => cell(p)).join(' | ')} | ${ratios.map(r => `${r.toFixed(1)}x`).join(' | ')} | ${goals.join('; ')} |`)
}
out.push('')
out.push('Compile time (µs; celgate: parse + check + plan; @bufbuild/cel: parse + plan, it has no public checker; cel-js: parse + type check):')
out.push('')
out.push('| expr | celgate µs | @bufbuild/cel µs | cel-js µs | bufbuild/celgate | cel-js/celgate |')
out.push('|---|---:|---:|---:|---:|---:|')
for (const c of cases) {
  const a = names.map(n => impls.get(n).cases.get(c.name).compile)
  out.push(`| ${c.name} | ${a.map(x => cell(x, 1000)).join(' | ')} | ${a.slice(1).map(x => `${(median(x) / median(a[0])).toFixed(1)}x`).join(' | ')} |`)
}
out.push('')
out.push('Expressions:')
out.push('')
for (const c of cases) out.push(`- ${c.name} (${c.title}): \`${c.expr}\``)
if (misses.length) {
  out.push('')
  out.push(`Targets missed: ${misses.join('; ')}.`)
}
console.log(out.join('\n'))
