/**
 * JSON that a person wrote (a network spec file), read so that every complaint can
 * say where: the line and column of a syntax error, and of the field a schema
 * refuses. JSON.parse gives a position for some syntax errors only and none for
 * fields; jsonc-parser's tree keeps every value's offset.
 */
// The ES module build by path: the package's "main" is a UMD bundle whose inner
// require('./impl/...') calls esbuild cannot follow (the CLI bundle failed at run time).
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { StudioError, errorMessage, type ErrorCode } from './errors.js';

export interface TextPlace {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
}

export interface JsonText {
  value: unknown;
  /**
   * Where the value at `path` starts; for a path that is not in the text (a missing
   * field), where its nearest present parent starts.
   */
  placeOf(path: readonly PropertyKey[]): TextPlace;
}

/** Offset -> line and column (1-based). */
export function placeAt(text: string, offset: number): TextPlace {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** What a syntax error means, in words (jsonc-parser names its codes in CamelCase). */
function describeSyntaxError(text: string, e: ParseError): string {
  const closer = text[e.offset];
  if ((closer === ']' || closer === '}') && /,\s*$/.test(text.slice(0, e.offset))) {
    return `a comma before '${closer}' (JSON allows no trailing comma)`;
  }
  return printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** A value read from JSON, or why there is none, in one line. */
export type JsonOrWhy = { value: unknown } | { why: string };

/**
 * JSON.parse with its refusal in one line for a message that has no lines to point
 * at (a model file's header, a metadata field): the first fault and its character
 * position, else JSON.parse's own words.
 */
export function readJson(text: string): JsonOrWhy {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { why: whyNotJson(text, e) };
  }
}

/** readJson of UTF-8 bytes; bytes that are not UTF-8 say so. */
export function readJsonBytes(bytes: Uint8Array): JsonOrWhy {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    return { why: errorMessage(e) };
  }
  return readJson(text);
}

function whyNotJson(text: string, error: unknown): string {
  const errors: ParseError[] = [];
  parseTree(text, errors, STRICT);
  const first = errors[0];
  if (!first) return errorMessage(error);
  return `${describeSyntaxError(text, first)} at character ${first.offset + 1}`;
}

/**
 * Parse strict JSON (no comments, no trailing commas). A syntax error throws a
 * StudioError of `code` at the file, line and column of the first fault.
 */
export function parseJsonText(text: string, file: string, code: ErrorCode): JsonText {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, STRICT);
  const first = errors[0];
  if (first || !root) {
    const place = placeAt(text, first?.offset ?? 0);
    throw new StudioError(code, `not valid JSON: ${first ? describeSyntaxError(text, first) : 'the file holds no value'}`, { file, ...place });
  }
  // JSON.parse for the value itself: the language's own reading (numbers, escapes, a repeated key's last value).
  const value: unknown = JSON.parse(text);
  return {
    value,
    placeOf(path) {
      const segments = path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
      for (let n = segments.length; n >= 0; n--) {
        const node: Node | undefined = findNodeAtLocation(root, segments.slice(0, n));
        if (node) return placeAt(text, node.offset);
      }
      return placeAt(text, root.offset);
    },
  };
}
