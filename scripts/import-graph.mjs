#!/usr/bin/env node
// The server's import picture: which server/* folders import which, and every import cycle.
//
//   node scripts/import-graph.mjs            folder summary + file-level cycles (exit 1 on a cycle)
//   node scripts/import-graph.mjs --json     the same as JSON (used by server/import-graph.test.ts)
//
// Test files (*.test.ts) are left out: they sit beside the code they test and may import anything.
// `import type` edges are counted too (they still tie one module to another), and marked.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serverDir = join(root, 'server');

/** Every production .ts module under server/, as paths relative to the repo root. */
export function serverModules(dir = serverDir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...serverModules(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /(?<!typeof\s)\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The relative imports of one module: `{ to, typeOnly }`, resolved to repo-relative .ts paths. */
export function importsOf(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const edges = [];
  for (const match of text.matchAll(IMPORT)) {
    const target = join(dirname(file), match[3]).replace(/\.js$/, '.ts');
    edges.push({ to: target, typeOnly: Boolean(match[2]) });
  }
  for (const match of text.matchAll(DYNAMIC_IMPORT)) {
    edges.push({ to: join(dirname(file), match[1]).replace(/\.js$/, '.ts'), typeOnly: false });
  }
  return edges;
}

/** `server/http/routes/x.ts` → `http`; `server/main.ts` → `(root)`. */
export function folderOf(file) {
  const parts = file.split('/').slice(1);
  return parts.length > 1 ? parts[0] : '(root)';
}

/** Strongly connected components with more than one module (Tarjan), each sorted. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (node) => {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(node, s);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const t = state.get(next);
      if (!t) {
        visit(next);
        s.low = Math.min(s.low, state.get(next).low);
      } else if (t.onStack) s.low = Math.min(s.low, t.index);
    }
    if (s.low === s.index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

export function importPicture() {
  const modules = serverModules();
  const fileGraph = new Map();
  const folderEdges = new Map(); // "from -> to" → { count, typeOnly }
  const edges = [];
  for (const file of modules) {
    const targets = new Set();
    for (const { to, typeOnly } of importsOf(file)) {
      if (!to.startsWith('server/')) continue;
      targets.add(to);
      edges.push({ from: file, to, typeOnly });
      const from = folderOf(file);
      const into = folderOf(to);
      if (from === into) continue;
      const key = `${from} -> ${into}`;
      const entry = folderEdges.get(key) ?? { count: 0, typeOnly: true };
      entry.count++;
      entry.typeOnly &&= typeOnly;
      folderEdges.set(key, entry);
    }
    fileGraph.set(file, targets);
  }
  const folderGraph = new Map();
  for (const key of folderEdges.keys()) {
    const [from, to] = key.split(' -> ');
    if (!folderGraph.has(from)) folderGraph.set(from, new Set());
    if (!folderGraph.has(to)) folderGraph.set(to, new Set());
    folderGraph.get(from).add(to);
  }
  return {
    modules: modules.length,
    edges,
    folders: [...folderGraph.keys()].sort().map((from) => ({
      from,
      imports: [...folderGraph.get(from)].sort().map((to) => ({ to, ...folderEdges.get(`${from} -> ${to}`) })),
    })),
    fileCycles: cycles(fileGraph),
    folderCycles: cycles(folderGraph),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const picture = importPicture();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(picture, null, 2));
  } else {
    console.log(`server/: ${picture.modules} production modules (tests left out)\n`);
    console.log('Folder imports (n = import lines; "type" = only `import type`):');
    for (const { from, imports } of picture.folders) {
      const list = imports.map(({ to, count, typeOnly }) => `${to}(${count}${typeOnly ? ', type' : ''})`).join(' ');
      console.log(`  ${from.padEnd(9)} -> ${list || '—'}`);
    }
    console.log(`\nFolder-level cycles: ${picture.folderCycles.length}`);
    for (const cycle of picture.folderCycles) console.log(`  ${cycle.join(' <-> ')}`);
    console.log(`\nFile-level cycles: ${picture.fileCycles.length}`);
    for (const cycle of picture.fileCycles) console.log(`  ${cycle.join(' <-> ')}`);
    const upward = picture.edges.filter((e) => folderOf(e.to) === 'testing' && folderOf(e.from) !== 'testing');
    console.log(`\nProduction modules importing server/testing/: ${upward.length}`);
    for (const e of upward) console.log(`  ${e.from} -> ${e.to}`);
    const web = picture.edges.filter((e) => folderOf(e.to) === 'http' && !['http', '(root)', 'testing'].includes(folderOf(e.from)));
    console.log(`\nModules outside http/ (and the wiring root) importing server/http/: ${web.length}`);
    for (const e of web) console.log(`  ${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
    process.exitCode = picture.fileCycles.length > 0 ? 1 : 0;
  }
}
