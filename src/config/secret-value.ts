/**
 * Reading secrets (PSK, EAP passwords, key passphrases) from the configuration:
 * inline (`psk: "..."` or `psk: { secret: "..." }`) or from a file
 * (`psk: { file: moon.psk }`, relative to the configuration file). A value
 * prefixed `0x` is hex and `0s` base64, as in swanctl.conf. The secret's text
 * never appears in an error message.
 */
import { isAbsolute, join } from 'node:path';
import { isMap } from 'yaml';
import { type ConfigReader, Fields, type YamlNode } from './reader.js';
import { Secret } from './secret.js';

export interface SecretSource {
  /** Reads a secret file; throws with a `code` (ENOENT, EACCES) on failure. */
  readFile(path: string): Uint8Array;
  /** Permission bits, when known. */
  fileMode(path: string): number | undefined;
  /** Directory that relative file names are resolved against. */
  baseDir: string;
}

const EXPECTED = 'a secret string, { secret: ... } or { file: PATH }';

function decodeSecret(text: string): Uint8Array | { error: string } {
  if (/^0x/i.test(text)) {
    const hex = text.slice(2);
    if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
      return { error: 'a 0x secret must have an even number of hex digits' };
    }
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  if (/^0s/i.test(text)) {
    const b64 = text.slice(2);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return { error: 'a 0s secret must be valid base64' };
    return Uint8Array.from(Buffer.from(b64, 'base64'));
  }
  return new TextEncoder().encode(text);
}

function toSecret(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
  text: string,
): Secret | undefined {
  const bytes = decodeSecret(text);
  if (!(bytes instanceof Uint8Array)) {
    reader.error(node, path, `the secret is not valid; ${bytes.error}`);
    return undefined;
  }
  if (bytes.length === 0) {
    reader.error(node, path, 'the secret is empty; expected at least one character');
    return undefined;
  }
  return new Secret(bytes);
}

export function readSecret(
  reader: ConfigReader,
  source: SecretSource,
  node: YamlNode,
  path: string,
): Secret | undefined {
  if (!isMap(node)) {
    const text = reader.text(node, path, EXPECTED, true);
    return text === undefined ? undefined : toSecret(reader, node, path, text);
  }
  const entries = reader.map(node, path, ['secret', 'file']);
  if (!entries) return undefined;
  const fields = new Fields(reader, entries, path);
  if (fields.has('secret') === fields.has('file')) {
    reader.error(node, path, `expected exactly one of secret or file`);
    return undefined;
  }
  if (fields.has('secret')) {
    const text = fields.get('secret', (n, p) => reader.text(n, p, 'a secret string', true));
    return text === undefined
      ? undefined
      : toSecret(reader, fields.node('secret'), fields.pathOf('secret'), text);
  }
  const file = fields.get('file', (n, p) => reader.text(n, p, 'a file name'));
  if (file === undefined) return undefined;
  const fullPath = isAbsolute(file) ? file : join(source.baseDir, file);
  let content: string;
  try {
    content = new TextDecoder().decode(source.readFile(fullPath));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    reader.error(
      fields.node('file'),
      fields.pathOf('file'),
      `cannot read the secret file "${fullPath}" (${code})`,
    );
    return undefined;
  }
  const mode = source.fileMode(fullPath);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    reader.warn(
      fields.node('file'),
      fields.pathOf('file'),
      `the secret file "${fullPath}" can be read by other users (mode ${octal}); chmod 600 it`,
    );
  }
  // A trailing newline is an editor's, not part of the key.
  return toSecret(
    reader,
    fields.node('file'),
    fields.pathOf('file'),
    content.replace(/\r?\n$/, ''),
  );
}
