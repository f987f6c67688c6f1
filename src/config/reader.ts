/**
 * Walking a YAML document with positions: every accessor reports problems
 * into one shared list (all errors are collected, not just the first) as
 * `file:line:col: path: message`, and returns `undefined` for a bad value so
 * the caller can carry on.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair, type Scalar } from 'yaml';
import { closestMatch } from './suggest.js';
import type { ConfigError } from './types.js';

export type YamlNode = Node | null | undefined;

export interface MapEntry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: YamlNode;
}

export class ConfigReader {
  readonly errors: ConfigError[] = [];
  /** Problems that do not stop loading (weak algorithms, readable secret files). */
  readonly warnings: ConfigError[] = [];

  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
  ) {}

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  lineOf(node: YamlNode): number {
    return node?.range ? this.position(node.range[0]).line : 1;
  }

  errorAt(offset: number, path: string, message: string): void {
    const { line, column } = this.position(offset);
    this.errors.push({ file: this.file, line, column, path, message });
  }

  warn(node: YamlNode, path: string, message: string): void {
    const { line, column } = this.position(node?.range ? node.range[0] : 0);
    this.warnings.push({ file: this.file, line, column, path, message });
  }

  error(node: YamlNode, path: string, message: string): void {
    this.errorAt(node?.range ? node.range[0] : 0, path, message);
  }

  /**
   * A mapping's entries, with unknown keys reported (with a suggestion where one
   * is close). Returns undefined when the node is not a mapping.
   */
  map(node: YamlNode, path: string, allowed: readonly string[]): Map<string, MapEntry> | undefined {
    if (!isMap(node)) {
      this.error(node, path, `${describeNode(node)} is not allowed; expected a mapping`);
      return undefined;
    }
    const entries = new Map<string, MapEntry>();
    for (const pair of node.items as Pair<YamlNode, YamlNode>[]) {
      const keyNode = pair.key;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.error(keyNode ?? node, path, 'a setting name must be a plain word');
        continue;
      }
      const key = String(keyNode.value);
      const keyPath = joinPath(path, key);
      if (allowed.length > 0 && !allowed.includes(key)) {
        const hint = closestMatch(key, allowed);
        this.error(
          keyNode,
          keyPath,
          hint
            ? `unknown setting "${key}"; did you mean "${hint}"?`
            : `unknown setting "${key}"; expected one of ${allowed.join(', ')}`,
        );
        continue;
      }
      entries.set(key, { key, keyNode, value: pair.value });
    }
    return entries;
  }

  /** The entries of a mapping whose keys are user-chosen names (connections, children). */
  namedMap(node: YamlNode, path: string): MapEntry[] {
    const entries = this.map(node, path, []);
    return entries ? [...entries.values()] : [];
  }

  /** The text of a scalar (numbers as written), or undefined with an error. */
  text(node: YamlNode, path: string, expected: string, secret = false): string | undefined {
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      return scalarText(node);
    }
    this.error(
      node,
      path,
      `${secret ? 'this value' : describeNode(node)} is not allowed; expected ${expected}`,
    );
    return undefined;
  }

  oneOf<T extends string>(node: YamlNode, path: string, allowed: readonly T[]): T | undefined {
    const value = this.text(node, path, `one of ${allowed.join(', ')}`);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.error(node, path, `"${value}" is not allowed; expected one of ${allowed.join(', ')}`);
    return undefined;
  }

  boolean(node: YamlNode, path: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    const value = this.text(node, path, 'yes or no');
    if (value === undefined) return undefined;
    if (value === 'yes') return true;
    if (value === 'no') return false;
    this.error(node, path, `"${value}" is not allowed; expected yes or no (or true, false)`);
    return undefined;
  }

  integer(node: YamlNode, path: string, min: number, max: number): number | undefined {
    const expected = `an integer from ${min} to ${max}`;
    const value = this.text(node, path, expected);
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    this.error(node, path, `"${value}" is not allowed; expected ${expected}`);
    return undefined;
  }

  /** A value parsed by `parse`, which returns an error message on failure. */
  parsed<T>(
    node: YamlNode,
    path: string,
    expected: string,
    parse: (text: string) => T | { error: string },
  ): T | undefined {
    const value = this.text(node, path, expected);
    if (value === undefined) return undefined;
    const result = parse(value);
    if (isParseError(result)) {
      this.error(node, path, `"${value}" is not allowed; ${result.error}`);
      return undefined;
    }
    return result;
  }

  /**
   * A list of items: a YAML sequence, or a scalar with comma-separated items as
   * in swanctl.conf. Items that fail are reported and skipped.
   */
  list<T>(
    node: YamlNode,
    path: string,
    item: (node: YamlNode, path: string, text?: string) => T | undefined,
  ): T[] | undefined {
    if (isSeq(node)) {
      const out: T[] = [];
      node.items.forEach((child, i) => {
        const value = item(child as YamlNode, `${path}[${i}]`);
        if (value !== undefined) out.push(value);
      });
      return out;
    }
    if (isScalar(node) && typeof node.value === 'string') {
      const parts = node.value.split(',').map((p) => p.trim());
      const out: T[] = [];
      parts.forEach((part, i) => {
        const value = item(node, parts.length > 1 ? `${path}[${i}]` : path, part);
        if (value !== undefined) out.push(value);
      });
      return out;
    }
    this.error(node, path, `${describeNode(node)} is not allowed; expected a list`);
    return undefined;
  }
}

export function isParseError(value: unknown): value is { error: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    Object.keys(value).length === 1
  );
}

/** An empty sequence or empty string, where a list needs at least one item. */
export function isEmptyList(node: YamlNode): boolean {
  return (isSeq(node) && node.items.length === 0) || (isScalar(node) && node.value === '');
}

export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function scalarText(node: Scalar): string {
  if (typeof node.value === 'string') return node.value;
  // Numbers and booleans as the user wrote them (`010` stays `010`).
  return typeof node.source === 'string' ? node.source : String(node.value);
}

/** What was found, for messages: the scalar as written, or the kind of node. */
export function describeNode(node: YamlNode): string {
  if (node === null || node === undefined) return 'an empty value';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'an empty value';
    return JSON.stringify(scalarText(node));
  }
  return 'this value';
}

/** The settings of one mapping, read by key with their full paths. */
export class Fields {
  constructor(
    readonly reader: ConfigReader,
    readonly entries: Map<string, MapEntry>,
    readonly path: string,
  ) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  node(key: string): YamlNode {
    return this.entries.get(key)?.value;
  }

  keyNode(key: string): YamlNode {
    return this.entries.get(key)?.keyNode;
  }

  pathOf(key: string): string {
    return joinPath(this.path, key);
  }

  /** The value read by `read`, or undefined when absent or invalid (then reported). */
  get<T>(key: string, read: (node: YamlNode, path: string) => T | undefined): T | undefined {
    const entry = this.entries.get(key);
    return entry ? read(entry.value, joinPath(this.path, key)) : undefined;
  }

  /** Reports a problem with a setting (at its value, or the key when the value is empty). */
  error(key: string, message: string): void {
    const entry = this.entries.get(key);
    this.reader.error(entry?.value ?? entry?.keyNode, joinPath(this.path, key), message);
  }
}
