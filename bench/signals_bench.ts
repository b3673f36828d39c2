/**
 * Signal detector benchmark: per-message latency on the dev set (p50/p99, warmed up), time per KB
 * for realistic messages of 10 KB, 100 KB and 1 MB, and for 200 KB adversarial inputs, to show
 * that time grows linearly with length. `npx tsx bench/signals_bench.ts` prints the figures;
 * bench/analytics.bench.ts imports `runSignalsBench`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectSignals, type Turn } from '../src/analytics/signals/index.js';

/** The repository, from bench/ or from the compiled copy `npm run bench:analytics` runs (dist/bench/). */
const ROOT = new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url);
const DEV = fileURLToPath(new URL('test/fixtures/signals-dev.jsonl', ROOT));
const HELDOUT = fileURLToPath(new URL('test/fixtures/signals-heldout.jsonl', ROOT));
const LONGFORM = ['longform-tuning.jsonl', 'longform-heldback.jsonl', 'longform-heldback-2.jsonl'].map((f) =>
  fileURLToPath(new URL(`test/fixtures/signals/${f}`, ROOT)),
);

interface Message {
  text: string;
  context?: Turn[];
}

/** Discovery-call messages with the turns before them, as the plugin hands them over. */
function loadLongform(): Message[] {
  return LONGFORM.filter((p) => existsSync(p)).flatMap((p) =>
    readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Message),
  );
}
const KB = 1024;

function loadTexts(): string[] {
  const path = existsSync(DEV) ? DEV : HELDOUT;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/**
 * Median wall µs of `runs` calls on `text`, after one warm-up call, and the mean CPU µs per call
 * (user + system of this process), which a loaded machine inflates much less than wall time.
 */
function timeText(text: string, runs: number): { wall: number; cpu: number } {
  detectSignals(text);
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    detectSignals(text);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  return { wall: percentile(samples, 50), cpu: (cpu.user + cpu.system) / runs };
}

function repeatTo(unit: string, bytes: number): string {
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    parts.push(unit);
    len += unit.length;
  }
  return parts.join('').slice(0, bytes);
}

function adversarialInputs(): Record<string, string> {
  let digits = '';
  let seed = 7;
  const chunks: string[] = [];
  while (digits.length + chunks.length * 8 < 200 * KB) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    chunks.push(String(seed % 100000));
    if (chunks.length > 4096) {
      digits += `${chunks.join(' ')} `;
      chunks.length = 0;
    }
  }
  digits = (digits + chunks.join(' ')).slice(0, 200 * KB);
  return {
    digits_and_spaces: digits,
    hyphenated_digits: repeatTo('10-', 200 * KB),
    repeated_urgent: repeatTo('urgent ', 200 * KB),
    one_huge_word: 'a'.repeat(200 * KB),
    one_huge_number: '9'.repeat(200 * KB),
    repeated_ranges: repeatTo('between 20 and 30 to 40 or ', 200 * KB),
    repeated_negations: repeatTo("we don't not never use Box the box a Teams ", 200 * KB),
    number_words: repeatTo('twenty-five hundred and a couple of a few dozen ', 200 * KB),
    punctuation: repeatTo('.,;-~$%/', 200 * KB),
  };
}

/** Runs the benchmark, prints a table and returns the figures (µs). */
export async function runSignalsBench(): Promise<Record<string, number>> {
  const texts = loadTexts();
  const result: Record<string, number> = {};
  // Warm-up: let the JIT settle.
  for (let r = 0; r < 3000; r++) for (const t of texts) detectSignals(t);
  const samples: number[] = [];
  for (let r = 0; r < 300; r++) {
    for (const t of texts) {
      const t0 = process.hrtime.bigint();
      detectSignals(t);
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  result.dev_messages = texts.length;
  result.dev_p50_us = percentile(samples, 50);
  result.dev_p99_us = percentile(samples, 99);
  result.dev_max_us = samples[samples.length - 1] ?? Number.NaN;
  // Long-form discovery-call messages, each read with the conversation before it.
  const calls = loadLongform();
  for (let r = 0; r < 1000; r++) for (const m of calls) detectSignals(m.text, m.context);
  const callSamples: number[] = [];
  for (let r = 0; r < 100; r++) {
    for (const m of calls) {
      const t0 = process.hrtime.bigint();
      detectSignals(m.text, m.context);
      callSamples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  callSamples.sort((a, b) => a - b);
  result.longform_messages = calls.length;
  result.longform_p50_us = percentile(callSamples, 50);
  result.longform_p99_us = percentile(callSamples, 99);

  const corpus = texts.join(' ');
  const rows: Array<{ input: string; kb: number; us: number; us_per_kb: number; cpu_us_per_kb: number }> = [];
  for (const [label, kb, runs] of [
    ['realistic_10kb', 10, 200],
    ['realistic_100kb', 100, 30],
    ['realistic_1mb', 1024, 5],
  ] as const) {
    const { wall: us, cpu } = timeText(repeatTo(`${corpus} `, kb * KB), runs);
    rows.push({ input: label, kb, us, us_per_kb: us / kb, cpu_us_per_kb: cpu / kb });
  }
  for (const [name, text] of Object.entries(adversarialInputs())) {
    const { wall: us, cpu } = timeText(text, 10);
    rows.push({
      input: `adversarial_${name}_200kb`,
      kb: text.length / KB,
      us,
      us_per_kb: us / (text.length / KB),
      cpu_us_per_kb: cpu / (text.length / KB),
    });
  }
  for (const row of rows) {
    result[`${row.input}_us`] = row.us;
    result[`${row.input}_us_per_kb`] = row.us_per_kb;
    result[`${row.input}_cpu_us_per_kb`] = row.cpu_us_per_kb;
  }

  console.log(`signals: ${texts.length} dev messages, ${samples.length} timed calls`);
  console.log(
    `  p50 ${result.dev_p50_us.toFixed(2)} µs   p99 ${result.dev_p99_us.toFixed(2)} µs   max ${result.dev_max_us.toFixed(1)} µs`,
  );
  console.log(
    `  long-form call messages with context (${result.longform_messages}): p50 ${result.longform_p50_us?.toFixed(2)} µs   p99 ${result.longform_p99_us?.toFixed(2)} µs`,
  );
  console.log(
    `  ${'input'.padEnd(42)}${'KB'.padStart(8)}${'µs'.padStart(12)}${'µs/KB'.padStart(10)}${'cpu µs/KB'.padStart(11)}`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.input.padEnd(42)}${row.kb.toFixed(0).padStart(8)}${row.us.toFixed(0).padStart(12)}${row.us_per_kb
        .toFixed(2)
        .padStart(10)}${row.cpu_us_per_kb.toFixed(2).padStart(11)}`,
    );
  }
  return result;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  runSignalsBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
