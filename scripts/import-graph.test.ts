import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs script without types; its functions are small and checked here.
import { cycles, folderOf, importPicture } from './import-graph.mjs';

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}
interface Picture {
  modules: number;
  edges: Edge[];
  fileCycles: string[][];
  folderCycles: string[][];
}

/** The web edge: the HTTP layer, the demo pages it mounts, and the wiring at server/ itself. */
const WEB_EDGE = new Set(['http', 'demo', '(root)']);

describe('import graph of server/ (production modules; tests left out)', () => {
  const picture = importPicture() as Picture;
  const show = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}`);

  it('finds the modules and their imports', () => {
    expect(picture.modules).toBeGreaterThan(50);
    expect(picture.edges.some((e) => e.from === 'server/create-app.ts' && e.to === 'server/http/app.ts')).toBe(true);
  });

  it('has no import cycle between modules, type-only imports included', () => {
    expect(picture.fileCycles).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(picture.folderCycles).toEqual([]);
  });

  it('no production module imports the test harness (server/testing/)', () => {
    expect(show(picture.edges.filter((e) => folderOf(e.to) === 'testing' && folderOf(e.from) !== 'testing'))).toEqual([]);
  });

  it('capabilities do not import the web layer (server/http/)', () => {
    expect(show(picture.edges.filter((e) => folderOf(e.to) === 'http' && !WEB_EDGE.has(folderOf(e.from)) && folderOf(e.from) !== 'testing'))).toEqual([]);
  });

  it('the contract imports only itself and the host normaliser of net/ (and zod); AppError imports nothing at all', () => {
    const fromContract = picture.edges.filter((e) => folderOf(e.from) === 'contract');
    expect(show(fromContract.filter((e) => folderOf(e.to) !== 'contract' && e.to !== 'server/net/host.ts'))).toEqual([]);
    expect(show(fromContract.filter((e) => e.from === 'server/contract/errors.ts'))).toEqual([]);
  });
});

describe('cycle finder', () => {
  it('reports a cycle, a self-import, and nothing for a chain', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['d'])],
      ['e', new Set(['f'])],
      ['f', new Set<string>()],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});
