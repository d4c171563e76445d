/**
 * Decoding of `aws-chunked` upload bodies (SigV4 "streaming" uploads), checking every chunk signature.
 *
 * Body: `{hex size}[;chunk-signature={sig}]\r\n{data}\r\n` per chunk, a zero-size final chunk, then either
 * `\r\n` or trailing headers (`name:value\r\n` …, the signed variant ending with `x-amz-trailer-signature`)
 * and `\r\n`. Each chunk signature signs the previous one (the request's own signature seeds the chain), so
 * chunks cannot be changed, dropped or reordered. Trailing checksums (`x-amz-checksum-*`) are accepted without
 * being recomputed: on the signed variants the signatures already cover every byte, and this is a demo store.
 */
import { S3Fault } from './s3-fault.js';
import {
  type ChunkSigning,
  EMPTY_SHA256,
  hmacSha256,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  sha256Hex,
  signaturesMatch,
} from './sigv4.js';

const CRLF = Buffer.from('\r\n');

export interface ChunkedUpload {
  /** The request's `x-amz-content-sha256`: one of the three STREAMING-… modes. */
  payloadHash: string;
  /** Needed for the signed modes; ignored for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signing: ChunkSigning | undefined;
  /** `x-amz-decoded-content-length`: the object's size. */
  decodedLength: number;
}

function malformed(message: string): S3Fault {
  return new S3Fault('InvalidRequest', { message: `Malformed aws-chunked body: ${message}` });
}

function readLine(body: Buffer, from: number): { text: string; next: number } {
  const end = body.indexOf(CRLF, from);
  if (end < 0) throw new S3Fault('IncompleteBody');
  return { text: body.toString('latin1', from, end), next: end + 2 };
}

export function decodeAwsChunked(body: Buffer, upload: ChunkedUpload): Buffer {
  const isSigned = upload.payloadHash === STREAMING_SIGNED || upload.payloadHash === STREAMING_SIGNED_TRAILER;
  const hasTrailer =
    upload.payloadHash === STREAMING_SIGNED_TRAILER || upload.payloadHash === STREAMING_UNSIGNED_TRAILER;
  const signing = upload.signing;
  if (isSigned && signing === undefined) throw new S3Fault('SignatureDoesNotMatch');
  let previousSignature = signing?.seedSignature ?? '';
  const chunks: Buffer[] = [];
  let decoded = 0;
  let at = 0;
  for (let index = 0; ; index++) {
    const header = readLine(body, at);
    const [sizeText = '', ...extensions] = header.text.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`chunk ${index} has no hexadecimal size`);
    const size = Number.parseInt(sizeText, 16);
    const dataEnd = header.next + size;
    if (dataEnd > body.length) throw new S3Fault('IncompleteBody');
    const data = body.subarray(header.next, dataEnd);
    if (isSigned && signing !== undefined) {
      const provided = extensions
        .find((e) => e.startsWith('chunk-signature='))
        ?.slice('chunk-signature='.length);
      const expected = hmacSha256(
        signing.signingKey,
        [
          'AWS4-HMAC-SHA256-PAYLOAD',
          signing.datetime,
          signing.scope,
          previousSignature,
          EMPTY_SHA256,
          sha256Hex(data),
        ].join('\n'),
      ).toString('hex');
      if (provided === undefined || !signaturesMatch(expected, provided)) {
        throw new S3Fault('SignatureDoesNotMatch', {
          message: `The signature of chunk ${index} does not match.`,
        });
      }
      previousSignature = expected;
    }
    decoded += size;
    if (decoded > upload.decodedLength) throw new S3Fault('IncompleteBody');
    if (size === 0) {
      at = dataEnd;
      break;
    }
    chunks.push(data);
    if (!body.subarray(dataEnd, dataEnd + 2).equals(CRLF))
      throw malformed(`chunk ${index} does not end with CRLF`);
    at = dataEnd + 2;
  }
  at = hasTrailer
    ? readTrailer(body, at, upload.payloadHash === STREAMING_SIGNED_TRAILER, signing, previousSignature)
    : at;
  // The final `\r\n` is what the AWS documentation shows; some SDKs stop right after the last chunk line.
  if (at < body.length && !body.subarray(at).equals(CRLF)) throw malformed('bytes after the final chunk');
  if (decoded !== upload.decodedLength) throw new S3Fault('IncompleteBody');
  return Buffer.concat(chunks, decoded);
}

/** Reads trailing headers up to the blank line; returns where the blank line starts (or the end of the body). */
function readTrailer(
  body: Buffer,
  from: number,
  isSigned: boolean,
  signing: ChunkSigning | undefined,
  previousSignature: string,
): number {
  let at = from;
  const canonical: string[] = [];
  let trailerSignature: string | undefined;
  while (at < body.length && !body.subarray(at, at + 2).equals(CRLF)) {
    const line = readLine(body, at);
    const colon = line.text.indexOf(':');
    if (colon <= 0) throw malformed(`trailer line '${line.text}' has no name`);
    const name = line.text.slice(0, colon).trim().toLowerCase();
    const value = line.text.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else canonical.push(`${name}:${value}\n`);
    at = line.next;
  }
  if (isSigned && signing !== undefined) {
    const expected = hmacSha256(
      signing.signingKey,
      [
        'AWS4-HMAC-SHA256-TRAILER',
        signing.datetime,
        signing.scope,
        previousSignature,
        sha256Hex(canonical.join('')),
      ].join('\n'),
    ).toString('hex');
    if (trailerSignature === undefined || !signaturesMatch(expected, trailerSignature)) {
      throw new S3Fault('SignatureDoesNotMatch', {
        message: 'The signature of the trailing headers does not match.',
      });
    }
  }
  return at;
}
