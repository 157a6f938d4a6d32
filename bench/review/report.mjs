// bench/review/report.mjs: the Markdown table of bench/review from the JSON
// lines review_bench printed (one per case): µs per review and per part,
// the share of JSON, and the target (policy work at most 10% of decoding).
//   node bench/review/report.mjs RESULTS.jsonl LABELS...
import { readFileSync } from 'node:fs'

const [file, ...labels] = process.argv.slice(2)
const rows = readFileSync(file, 'utf8').split('\n').filter(l => l.trim()).map(l => JSON.parse(l))
const median = a => { const s = [...a].sort((x, y) => x - y); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2 }
const spread = a => a.length > 1 ? ` ±${(50 * (Math.max(...a) - Math.min(...a)) / median(a)).toFixed(0)}%` : ''
const us = a => `${(median(a) / 1000).toFixed(1)}${spread(a)}`

const out = []
out.push(`Median of ${rows[0].review_ns.length} rounds; in each round the four are timed in turn; ± is half the range over the rounds.`)
out.push('review = vap_handle_review + json_dumps of the response; decode = json_loadb of the body (duplicate keys refused) + free;')
out.push('evaluate = vap_evaluate on the decoded request (match, bind, run the policies, shape the outcome): the policy work; encode = json_dumps of the response.')
out.push('')
out.push('| case | body | verdict | review µs | decode µs | evaluate µs | encode µs | JSON share | evaluate/decode | target ≤10% |')
out.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---|')
const misses = []
rows.forEach((r, i) => {
  const rev = median(r.review_ns); const dec = median(r.decode_ns); const ev = median(r.evaluate_ns); const enc = median(r.encode_ns)
  const share = (dec + enc) / rev
  const ratio = ev / dec
  const label = labels[i] ?? r.body
  const met = ratio <= 0.10
  if (!met) misses.push(`${label}: the policy work is ${(100 * ratio).toFixed(0)}% of decoding (target 10%, ${(ratio / 0.10).toFixed(1)}x over)`)
  out.push(`| ${label} | ${(r.bytes / 1024).toFixed(1)} KB | ${r.verdict}${r.verdict === 'denied' ? ` ${r.code}` : ''} | ${us(r.review_ns)} | ${us(r.decode_ns)} | ${us(r.evaluate_ns)} | ${us(r.encode_ns)} | ${(100 * share).toFixed(0)}% | ${(100 * ratio).toFixed(1)}% | ${met ? 'met' : `missed (${(ratio / 0.10).toFixed(1)}x)`} |`)
})
if (misses.length) {
  out.push('')
  out.push(`Targets missed: ${misses.join('; ')}.`)
}
console.log(out.join('\n'))
