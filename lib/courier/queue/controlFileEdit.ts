import { decodeAddress, recordType, type ControlFile } from './controlFile';

/*
 * Editors replace one record and keep every other record, and the order, as they were:
 * Courier pairs the n-th `r` with the n-th `R`/`N` and refers to recipients by position.
 */

/** A new envelope recipient address for recipient `index` of control file `file`. */
export interface RecipientChange {
  readonly file: number;
  readonly index: number;
  readonly to: string;
}

/** The rewrite a policy decided; lib/policy builds its decisions on these types. */
export interface EnvelopeChanges {
  readonly sender?: string;
  readonly recipients?: readonly RecipientChange[];
}

/** A new `s` record. The null sender ('') is a valid value both before and after. */
export function withSender(file: ControlFile, sender: string): ControlFile {
  return replaceRecord(file, 0, 's', sender);
}

/** A new `r` record for the recipient at `index` (0-based among the `r` records). */
export function withRecipientAddress(file: ControlFile, index: number, address: string): ControlFile {
  return replaceRecord(file, positionOfRecipient(file, index), 'r', address);
}

/**
 * Every file of one message with the policy's changes applied: the sender in every file (they
 * all carry it), each recipient change in its own file. Files without changes come back as is.
 */
export function withChanges(files: readonly ControlFile[], changes: EnvelopeChanges): ControlFile[] {
  const edited = files.map((file) => (changes.sender === undefined ? file : withSender(file, changes.sender)));
  for (const change of changes.recipients ?? []) {
    const file = edited[change.file];
    if (file === undefined) throw new RangeError(`message has no control file ${change.file}`);
    edited[change.file] = withRecipientAddress(file, change.index, change.to);
  }
  return edited;
}

function positionOfRecipient(file: ControlFile, index: number): number {
  let seen = 0;
  for (let position = 0; position < file.records.length; position++) {
    if (recordType(file.records[position] as Buffer) !== 'r') continue;
    if (seen === index) return position;
    seen++;
  }
  throw new RangeError(`control file has no recipient ${index}`);
}

function replaceRecord(file: ControlFile, position: number, type: string, address: string): ControlFile {
  const record = Buffer.from(type + address, 'utf8');
  // The same rule parseControlFile applies; a line break would also split the record and shift
  // every recipient after it. Addresses come from the SRS core, so this is a caller bug.
  if (decodeAddress(record) === undefined) throw new RangeError(`address for record ${type} contains a control character`);
  const records = file.records.slice();
  records[position] = record;
  return { records };
}
