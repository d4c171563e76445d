/**
 * The demo store's contents, in memory: buckets, objects and unfinished multipart uploads. In memory because the
 * demo is a throw-away sandbox: nothing to clean up, nothing left on disk, and reads are as fast as they get.
 * Every method either succeeds or throws the S3Fault S3 would answer with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { S3Fault } from './s3-fault.js';
import type { CompletedPart, ListedObject } from './s3-xml.js';

export interface StoredObject {
  bytes: Buffer;
  /** Quoted, as S3 sends it: `"md5hex"`, or `"md5hex-N"` for an object assembled from N parts. */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** `x-amz-meta-*` headers, names lowercased without the prefix. */
  metadata: Record<string, string>;
}

export interface ObjectWrite {
  contentType?: string;
  metadata?: Record<string, string>;
}

interface Bucket {
  name: string;
  isPublic: boolean;
  createdAt: Date;
  objects: Map<string, StoredObject>;
}

interface MultipartUpload {
  bucket: string;
  key: string;
  write: ObjectWrite;
  parts: Map<number, { bytes: Buffer; etag: string }>;
}

export interface ListRequest {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  /** List keys after this one; with `isPrefixMarker`, also skip every key under it (a rolled-up prefix). */
  after: string | undefined;
  isPrefixMarker: boolean;
}

export interface ListResult {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Where the next page starts: the last key or common prefix listed. */
  last: { value: string; isPrefix: boolean } | undefined;
}

/** S3's minimum part size; only the last part of an upload may be smaller. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

/** S3 lists keys in UTF-8 byte order, which differs from JavaScript's UTF-16 order for astral characters. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function md5Hex(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** S3's bucket naming rules (lowercase DNS-style, 3–63 characters, no IP addresses). */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name)
  );
}

export class ObjectStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #uploads = new Map<string, MultipartUpload>();
  readonly #maxObjectBytes: number;

  constructor(maxObjectBytes: number) {
    this.#maxObjectBytes = maxObjectBytes;
  }

  /** Throws BucketAlreadyOwnedByYou when the bucket exists, as MinIO does. */
  createBucket(name: string, isPublic: boolean): void {
    if (!isValidBucketName(name)) throw new S3Fault('InvalidBucketName', { details: { BucketName: name } });
    if (this.#buckets.has(name))
      throw new S3Fault('BucketAlreadyOwnedByYou', { details: { BucketName: name } });
    this.#buckets.set(name, { name, isPublic, createdAt: new Date(), objects: new Map() });
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw new S3Fault('BucketNotEmpty', { details: { BucketName: name } });
    this.#buckets.delete(name);
  }

  listBuckets(): { name: string; createdAt: Date }[] {
    return [...this.#buckets.values()].sort((a, b) => compareUtf8(a.name, b.name));
  }

  bucket(name: string): Bucket {
    const bucket = this.#buckets.get(name);
    if (bucket === undefined) throw new S3Fault('NoSuchBucket', { details: { BucketName: name } });
    return bucket;
  }

  hasBucket(name: string): boolean {
    return this.#buckets.has(name);
  }

  putObject(
    bucketName: string,
    key: string,
    bytes: Buffer,
    write: ObjectWrite = {},
    etag = `"${md5Hex(bytes)}"`,
  ) {
    const bucket = this.bucket(bucketName);
    if (bytes.length > this.#maxObjectBytes) throw this.tooLarge();
    const object: StoredObject = {
      bytes,
      etag,
      lastModified: new Date(),
      contentType: write.contentType ?? 'binary/octet-stream',
      metadata: write.metadata ?? {},
    };
    bucket.objects.set(key, object);
    return object;
  }

  getObject(bucketName: string, key: string): StoredObject {
    const object = this.bucket(bucketName).objects.get(key);
    if (object === undefined) throw new S3Fault('NoSuchKey', { details: { Key: key } });
    return object;
  }

  /** Deleting a key that does not exist succeeds, as on S3. */
  deleteObject(bucketName: string, key: string): void {
    this.bucket(bucketName).objects.delete(key);
  }

  listObjects(bucketName: string, request: ListRequest): ListResult {
    const bucket = this.bucket(bucketName);
    const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(request.prefix)).sort(compareUtf8);
    const objects: ListedObject[] = [];
    const commonPrefixes: string[] = [];
    let last: ListResult['last'];
    for (const key of keys) {
      const after = request.after;
      if (after !== undefined) {
        if (compareUtf8(key, after) <= 0) continue;
        if (request.isPrefixMarker && key.startsWith(after)) continue;
      }
      const rolledUp = this.rollUp(key, request);
      if (rolledUp !== undefined && rolledUp === last?.value) continue;
      if (objects.length + commonPrefixes.length >= request.maxKeys) {
        return { objects, commonPrefixes, isTruncated: true, last };
      }
      if (rolledUp !== undefined) {
        commonPrefixes.push(rolledUp);
        last = { value: rolledUp, isPrefix: true };
      } else {
        const object = bucket.objects.get(key) as StoredObject;
        objects.push({
          key,
          size: object.bytes.length,
          etag: object.etag,
          lastModified: object.lastModified,
        });
        last = { value: key, isPrefix: false };
      }
    }
    return { objects, commonPrefixes, isTruncated: false, last };
  }

  /** The common prefix `key` rolls up into under `delimiter`, if any. */
  private rollUp(key: string, request: ListRequest): string | undefined {
    if (request.delimiter === undefined || request.delimiter === '') return undefined;
    const at = key.indexOf(request.delimiter, request.prefix.length);
    return at < 0 ? undefined : key.slice(0, at + request.delimiter.length);
  }

  createMultipartUpload(bucketName: string, key: string, write: ObjectWrite): string {
    this.bucket(bucketName);
    const uploadId = randomBytes(24).toString('base64url');
    this.#uploads.set(uploadId, { bucket: bucketName, key, write, parts: new Map() });
    return uploadId;
  }

  uploadPart(bucketName: string, key: string, uploadId: string, partNumber: number, bytes: Buffer): string {
    const upload = this.upload(bucketName, key, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new S3Fault('InvalidArgument', {
        message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
        details: { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) },
      });
    }
    if (bytes.length > this.#maxObjectBytes) throw this.tooLarge();
    const etag = `"${md5Hex(bytes)}"`;
    upload.parts.set(partNumber, { bytes, etag });
    return etag;
  }

  completeMultipartUpload(
    bucketName: string,
    key: string,
    uploadId: string,
    parts: CompletedPart[],
  ): StoredObject {
    const upload = this.upload(bucketName, key, uploadId);
    const chosen: Buffer[] = [];
    const digests: Buffer[] = [];
    parts.forEach((part, index) => {
      const previous = parts[index - 1];
      if (previous !== undefined && part.partNumber <= previous.partNumber)
        throw new S3Fault('InvalidPartOrder');
      const stored = upload.parts.get(part.partNumber);
      const etag = part.etag.startsWith('"') ? part.etag : `"${part.etag}"`;
      if (stored === undefined || stored.etag !== etag) {
        throw new S3Fault('InvalidPart', {
          details: { PartNumber: String(part.partNumber), ETag: part.etag },
        });
      }
      if (index < parts.length - 1 && stored.bytes.length < MIN_PART_BYTES) {
        throw new S3Fault('EntityTooSmall', {
          details: { PartNumber: String(part.partNumber), ProposedSize: String(stored.bytes.length) },
        });
      }
      chosen.push(stored.bytes);
      digests.push(Buffer.from(stored.etag.slice(1, -1), 'hex'));
    });
    const bytes = Buffer.concat(chosen);
    if (bytes.length > this.#maxObjectBytes) throw this.tooLarge();
    // S3's multipart ETag: the MD5 of the parts' binary MD5s, then the part count.
    const etag = `"${md5Hex(Buffer.concat(digests))}-${parts.length}"`;
    const object = this.putObject(bucketName, key, bytes, upload.write, etag);
    this.#uploads.delete(uploadId);
    return object;
  }

  abortMultipartUpload(bucketName: string, key: string, uploadId: string): void {
    this.upload(bucketName, key, uploadId);
    this.#uploads.delete(uploadId);
  }

  private upload(bucketName: string, key: string, uploadId: string): MultipartUpload {
    this.bucket(bucketName);
    const upload = this.#uploads.get(uploadId);
    if (upload === undefined || upload.bucket !== bucketName || upload.key !== key) {
      throw new S3Fault('NoSuchUpload', { details: { UploadId: uploadId } });
    }
    return upload;
  }

  private tooLarge(): S3Fault {
    return new S3Fault('EntityTooLarge', { details: { MaxSizeAllowed: String(this.#maxObjectBytes) } });
  }
}
