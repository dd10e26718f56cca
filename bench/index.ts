/**
 * `npm run bench`: runs every benchmark suite and prints one table. A suite is a module in
 * bench/suites/ whose default export returns rows; each row is the median of several runs.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  name: string;
  value: string;
  /** What the figure is compared with, or the target it must meet. */
  note?: string;
}

export type BenchSuite = () => Promise<BenchRow[]>;

const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(suitesDir)
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file}…\n`);
  const suite = (await import(`./suites/${file}`)) as { default: BenchSuite };
  rows.push(...(await suite.default()));
}

const nameWidth = Math.max(6, ...rows.map((r) => r.name.length));
const valueWidth = Math.max(5, ...rows.map((r) => r.value.length));
const line = (a: string, b: string, c: string) => `| ${a.padEnd(nameWidth)} | ${b.padStart(valueWidth)} | ${c} |`;
console.log(line('metric', 'value', 'note'));
console.log(`|${'-'.repeat(nameWidth + 2)}|${'-'.repeat(valueWidth + 2)}|------|`);
for (const row of rows) console.log(line(row.name, row.value, row.note ?? ''));
process.exit(0);
