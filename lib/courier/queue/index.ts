/**
 * Courier's mail queue: the control files submit hands the filter for each message, parsed
 * record by record, read as an envelope, edited and written back in place.
 */
export {
  formatControlFile,
  parseControlFile,
  type ControlFile,
  type ControlFileErrorCode,
  type ControlFileFailure,
  type ControlFileLimits,
  type ControlFileResult,
} from './controlFile';
export { withChanges, type EnvelopeChanges, type RecipientChange } from './controlFileEdit';
export {
  applyRewrite,
  isRefusal,
  readControlFiles,
  type ApplyRewriteResult,
  type ControlFilePathFailure,
  type ControlFileTarget,
  type DiskWait,
  type ReadControlFilesResult,
  type Rewritten,
} from './controlFileIo';
export { envelopeOf, type Envelope, type Recipient } from './envelope';
export { findQueueDirectory, type QueueDirectory, type QueueDirectoryResult } from './queueDirectory';
