/**
 * PEM (RFC 7468) decoding: every `-----BEGIN X-----` block in a text with its
 * label and DER contents. Legacy encrypted PEM headers (RFC 1421 `Proc-Type`)
 * are reported so the key loader can hand such blocks to OpenSSL as text.
 */

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
  /** The block as it appeared (for legacy-encrypted keys, which OpenSSL decodes from text). */
  readonly text: string;
  /** True when the block has RFC 1421 headers (e.g. `Proc-Type: 4,ENCRYPTED`). */
  readonly hasHeaders: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** True when the bytes look like PEM text (they contain a BEGIN line). */
export function looksLikePem(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 65536)));
  return head.includes('-----BEGIN ');
}

export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!;
    const hasHeaders = /^[A-Za-z-]+:/m.test(body);
    const base64 = body
      .split(/\r?\n/)
      .filter((line) => !/^[A-Za-z-]+:/.test(line))
      .join('')
      .replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) continue;
    blocks.push({
      label: m[1]!,
      der: new Uint8Array(Buffer.from(base64, 'base64')),
      text: m[0],
      hasHeaders,
    });
  }
  return blocks;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
