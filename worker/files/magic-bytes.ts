import type { UploadType } from './keys';

/** The declared image type does not match the file's first bytes. */
export class ContentMismatchError extends Error {}

const SIGNATURES: Record<UploadType, (b: Uint8Array) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v),
  // "RIFF" <size> "WEBP"
  'image/webp': (b) =>
    String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
};
const NEEDED = 12;

/**
 * A pass-through stream that checks the first 12 bytes against the declared image type
 * and errors the stream otherwise — so a `.exe` uploaded as `image/jpeg` never lands in
 * R2. It holds at most those 12 bytes; everything else flows straight through.
 */
export function checkImageSignature(type: UploadType): TransformStream<Uint8Array, Uint8Array> {
  let head: Uint8Array | null = new Uint8Array(0);
  const check = (b: Uint8Array) => {
    if (!SIGNATURES[type](b)) throw new ContentMismatchError(`The file is not a ${type} image.`);
  };
  return new TransformStream({
    transform(chunk, controller) {
      if (head === null) return controller.enqueue(chunk);
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < NEEDED) {
        head = joined;
        return;
      }
      check(joined);
      head = null;
      controller.enqueue(joined);
    },
    flush(controller) {
      if (head === null) return;
      check(head);
      if (head.length) controller.enqueue(head);
    },
  });
}
