/**
 * The fields after the five-character tag (`SRS0=`, `srs1+`, …), split at `=` as Mail::SRS
 * splits them: into at most four for SRS0, so an `=` in the original local part survives,
 * and at most three for SRS1, whose last field is opaque.
 */
export interface Srs0Fields {
  readonly hash: string;
  readonly stamp: string;
  readonly domain: string;
  readonly user: string;
}

export interface Srs1Fields {
  readonly hash: string;
  readonly hop: string;
  readonly opaque: string;
}

const TAG_LENGTH = 5;

/** Null unless all four fields are there and the domain and user are non-empty. */
export function parseSrs0Fields(local: string): Srs0Fields | null {
  const hashEnd = local.indexOf('=', TAG_LENGTH);
  const stampEnd = hashEnd < 0 ? -1 : local.indexOf('=', hashEnd + 1);
  const domainEnd = stampEnd < 0 ? -1 : local.indexOf('=', stampEnd + 1);
  if (domainEnd < 0 || domainEnd === stampEnd + 1 || domainEnd === local.length - 1) return null;
  return {
    hash: local.slice(TAG_LENGTH, hashEnd),
    stamp: local.slice(hashEnd + 1, stampEnd),
    domain: local.slice(stampEnd + 1, domainEnd),
    user: local.slice(domainEnd + 1),
  };
}

/** Null unless all three fields are there and the first hop and opaque part are non-empty. */
export function parseSrs1Fields(local: string): Srs1Fields | null {
  const hashEnd = local.indexOf('=', TAG_LENGTH);
  const hopEnd = hashEnd < 0 ? -1 : local.indexOf('=', hashEnd + 1);
  if (hopEnd < 0 || hopEnd === hashEnd + 1 || hopEnd === local.length - 1) return null;
  return {
    hash: local.slice(TAG_LENGTH, hashEnd),
    hop: local.slice(hashEnd + 1, hopEnd),
    opaque: local.slice(hopEnd + 1),
  };
}
