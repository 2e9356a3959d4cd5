// Cuts a MediaRecorder's stream of small blobs into multipart-upload parts: every part but the last
// must be at least 5 MB (S3's rule), so blobs are held until they add up to that. Pure, for node --test.

export const MIN_PART_BYTES = 5 * 1024 * 1024;

export function partCutter(minBytes = MIN_PART_BYTES) {
  let held = [];
  let heldBytes = 0;
  let nextNumber = 1;
  const cut = () => {
    const part = { part_number: nextNumber++, blobs: held, size: heldBytes };
    held = [];
    heldBytes = 0;
    return part;
  };
  return {
    /** Adds one recorder blob; returns a part ({part_number, blobs, size}) once enough is held, else null. */
    add(blob) {
      if (!blob || !blob.size) return null;
      held.push(blob);
      heldBytes += blob.size;
      return heldBytes >= minBytes ? cut() : null;
    },
    /** The last part (any size), or null when nothing is held. */
    finish() {
      return heldBytes > 0 ? cut() : null;
    },
    get heldBytes() {
      return heldBytes;
    },
  };
}
