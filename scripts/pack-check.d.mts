export interface PackCheckResult {
  tarball: string;
  size: number;
  unpackedSize: number;
  files: number;
  detect: string;
  sqlite: string;
}
/** Packs the package and checks a host can install and use it (see the script's header). */
export function packCheck(options?: { mode?: 'npm' | 'link'; build?: boolean; sqlite?: boolean; log?: (line: string) => void }): Promise<PackCheckResult>;
