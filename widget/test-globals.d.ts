/** The mocha globals web-test-runner provides to `*.test.ts` files (no @types/mocha needed). */
declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;
declare function beforeEach(body: () => unknown): void;
declare function afterEach(body: () => unknown): void;
