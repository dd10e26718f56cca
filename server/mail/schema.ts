/** The `POST /test` contract lives in server/contract/test-result.ts; this file re-exports it for mail code. */
export {
  ProtocolResultSchema as ProtocolTestResultSchema,
  TestInputSchema,
  TestResultSchema as TestAnswerSchema,
  type TestInput,
} from '../contract/test-result.js';
