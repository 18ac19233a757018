import { ok, type Result } from '../../result';
import { readConfigFile, type ConfigReadFailure } from './configText';
import { courierFiles, type CourierPaths } from './paths';

/** The mail sources submit filters ('esmtp', 'local', 'uucp'); [] when the file is absent. */
export type EnableFilteringResult = Result<readonly string[], ConfigReadFailure>;

/**
 * submit reads only the first line (config_read1l) and splits it on blanks; a source is filtered
 * when one word equals it exactly ('esmtp', 'local', 'uucp').
 */
export function parseEnableFiltering(text: string): string[] {
  return (text.split('\n')[0] ?? '').split(/[ \t\r]+/).filter((word) => word !== '');
}

/** A missing file means submit filters no mail at all, so it reads as no sources. */
export async function readEnableFiltering(paths: CourierPaths): Promise<EnableFilteringResult> {
  const file = await readConfigFile(courierFiles(paths).enableFiltering);
  if (!file.ok) return file;
  return ok(file.value === undefined ? [] : parseEnableFiltering(file.value));
}
