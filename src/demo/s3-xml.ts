/** The S3 XML documents the demo store writes, and the one it reads (CompleteMultipartUpload). */
import { S3Fault } from './s3-fault.js';

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const OWNER = { id: '02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4', name: 'demo' };

/** A value as it may appear in XML text. */
type XmlValue = string | number | boolean | undefined;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function element(name: string, value: XmlValue): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

function document(root: string, inner: string, withNamespace = true): string {
  const attributes = withNamespace ? ` xmlns="${S3_NAMESPACE}"` : '';
  return `${XML_HEADER}<${root}${attributes}>${inner}</${root}>`;
}

export function errorXml(fault: S3Fault, resource: string, requestId: string): string {
  const details = Object.entries(fault.details)
    .map(([name, value]) => element(name, value))
    .join('');
  return document(
    'Error',
    element('Code', fault.code) +
      element('Message', fault.message) +
      details +
      element('Resource', resource) +
      element('RequestId', requestId),
    false,
  );
}

export interface BucketEntry {
  name: string;
  createdAt: Date;
}

export function listBucketsXml(buckets: readonly BucketEntry[]): string {
  const entries = buckets
    .map(
      (bucket) =>
        `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.createdAt.toISOString())}</Bucket>`,
    )
    .join('');
  return document(
    'ListAllMyBucketsResult',
    `<Owner>${element('ID', OWNER.id)}${element('DisplayName', OWNER.name)}</Owner><Buckets>${entries}</Buckets>`,
  );
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListingXml {
  version: 1 | 2;
  bucket: string;
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  isTruncated: boolean;
  /** `encoding-type=url`: boto3 and the AWS CLI always ask for it, then decode every key themselves. */
  isUrlEncoded: boolean;
  objects: readonly ListedObject[];
  commonPrefixes: readonly string[];
  /** v1: `Marker`, `NextMarker`. */
  marker?: string;
  nextMarker?: string;
  /** v2: `ContinuationToken`, `NextContinuationToken`, `StartAfter`, `KeyCount`. */
  continuationToken?: string;
  nextContinuationToken?: string;
  startAfter?: string;
  withOwner?: boolean;
}

/** S3's `encoding-type=url` form: every byte but the unreserved ones and `/` as %XX (a space as %20, not `+`). */
export function urlEncodeKey(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

export function listObjectsXml(listing: ListingXml): string {
  const text = (value: string | undefined): string | undefined =>
    value === undefined || !listing.isUrlEncoded ? value : urlEncodeKey(value);
  const owner = listing.withOwner
    ? `<Owner>${element('ID', OWNER.id)}${element('DisplayName', OWNER.name)}</Owner>`
    : '';
  const contents = listing.objects
    .map(
      (object) =>
        '<Contents>' +
        element('Key', text(object.key)) +
        element('LastModified', object.lastModified.toISOString()) +
        element('ETag', object.etag) +
        element('Size', object.size) +
        owner +
        element('StorageClass', 'STANDARD') +
        '</Contents>',
    )
    .join('');
  const prefixes = listing.commonPrefixes
    .map((prefix) => `<CommonPrefixes>${element('Prefix', text(prefix))}</CommonPrefixes>`)
    .join('');
  const head =
    element('Name', listing.bucket) +
    element('Prefix', text(listing.prefix)) +
    (listing.version === 1
      ? element('Marker', text(listing.marker ?? '')) + element('NextMarker', text(listing.nextMarker))
      : element('ContinuationToken', listing.continuationToken) +
        element('NextContinuationToken', listing.nextContinuationToken) +
        element('StartAfter', text(listing.startAfter)) +
        element('KeyCount', listing.objects.length + listing.commonPrefixes.length)) +
    element('Delimiter', text(listing.delimiter)) +
    element('MaxKeys', listing.maxKeys) +
    element('EncodingType', listing.isUrlEncoded ? 'url' : undefined) +
    element('IsTruncated', listing.isTruncated);
  return document('ListBucketResult', head + contents + prefixes);
}

export function locationXml(): string {
  // us-east-1 is written as an empty LocationConstraint, as AWS does.
  return `${XML_HEADER}<LocationConstraint xmlns="${S3_NAMESPACE}"></LocationConstraint>`;
}

export function initiateMultipartXml(bucket: string, key: string, uploadId: string): string {
  return document(
    'InitiateMultipartUploadResult',
    element('Bucket', bucket) + element('Key', key) + element('UploadId', uploadId),
  );
}

export function completeMultipartXml(location: string, bucket: string, key: string, etag: string): string {
  return document(
    'CompleteMultipartUploadResult',
    element('Location', location) + element('Bucket', bucket) + element('Key', key) + element('ETag', etag),
  );
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|quot|amp|lt|gt|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[entity] ?? '';
  });
}

/**
 * The part list of a CompleteMultipartUpload body. The document is flat and machine-written (`<Part>` holding
 * `<PartNumber>` and `<ETag>`, optionally checksums), so a pattern per part reads it; anything else is
 * MalformedXML, as S3 answers.
 */
export function parseCompleteMultipart(body: string): CompletedPart[] {
  if (!/<CompleteMultipartUpload[\s>]/.test(body)) throw new S3Fault('MalformedXML');
  const parts: CompletedPart[] = [];
  for (const match of body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const inner = match[1] ?? '';
    const partNumber = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(inner)?.[1];
    const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(inner)?.[1];
    if (partNumber === undefined || etag === undefined) throw new S3Fault('MalformedXML');
    parts.push({ partNumber: Number(partNumber), etag: unescapeXml(etag).trim() });
  }
  if (parts.length === 0) throw new S3Fault('MalformedXML');
  return parts;
}
