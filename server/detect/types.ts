/** The contract shapes of `POST /detect` live in server/contract/detection.ts; detection code imports them from here. */
export type {
  Confidence,
  DetectedProvider,
  DetectedServer as MailServer,
  DetectionAlternative,
  DetectionProgress,
  DetectionResult,
  DetectionSource,
  SourceName,
} from '../contract/detection.js';
export type { Security } from '../contract/codes.js';

export type { ServerTemplate, Finding } from './finding.js';
