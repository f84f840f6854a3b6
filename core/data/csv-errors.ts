/**
 * csv-parse's errors as one line that says where, in the CSV reader's terms
 * (file:line:field, fields counted from 1 as in every other CSV message). The one
 * it places badly: a quote that never closes is reported at the end of the file,
 * where the parser gave up; the place to fix is the quote that opened the field.
 */
import type { CsvError } from 'csv-parse/browser/esm/sync';
import { StudioError } from '../errors.js';
import { formatBytes } from './limits.js';

export interface CsvErrorContext {
  file: string;
  bytes: Uint8Array;
  delimiter: string;
  /** Line on which the last complete record ended (0 before the first). */
  lastRecordEndLine: number;
  maxRecordSize: number;
}

export function csvParseError(e: CsvError, ctx: CsvErrorContext): StudioError {
  const { file } = ctx;
  const line = typeof e['lines'] === 'number' ? e['lines'] : undefined;
  const where = { file, ...(line === undefined ? {} : { line }) };
  switch (e.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new StudioError('TOO_LARGE', `a record of more than ${formatBytes(ctx.maxRecordSize)} (the limit): does a quote never close?`, where);
    case 'CSV_QUOTE_NOT_CLOSED': {
      const open = unclosedQuote(new TextDecoder().decode(ctx.bytes), ctx.delimiter, ctx.lastRecordEndLine);
      if (!open) break;
      return new StudioError('BAD_DATA', 'a quoted field opens here and its closing quote never comes (the file ends inside it)', {
        file,
        line: open.line,
        column: open.field,
      });
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE': {
      const field = typeof e['column'] === 'number' ? e['column'] + 1 : undefined;
      return new StudioError(
        'BAD_DATA',
        'text follows the closing quote of a quoted field; a quote inside a quoted field is written twice ("")',
        { ...where, ...(field === undefined ? {} : { column: field }) },
      );
    }
  }
  // "Quote Not Closed: the parsing is finished with an opening quote at line 5" -> without the line part.
  return new StudioError('BAD_DATA', e.message.replace(/\s+at line \d+\.?$/, ''), where);
}

/**
 * The quote that opened the field still open at the end of `text`: scanned from the
 * line after the last complete record, as the parser reads it (a quote opens a
 * field only at the field's start; "" inside a quoted field is a quote).
 */
function unclosedQuote(text: string, delimiter: string, lastRecordEndLine: number): { line: number; field: number } | null {
  let i = 0;
  let line = 1;
  while (line <= lastRecordEndLine && i < text.length) {
    if (text[i] === '\n') line++;
    i++;
  }
  let open: { line: number; field: number } | null = null;
  let field = 1;
  let atFieldStart = true;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (open) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else open = null;
      } else if (c === '\n') line++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      open = { line, field };
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      field++;
      atFieldStart = true;
      i += delimiter.length - 1;
    } else if (c === '\n') {
      line++;
      field = 1;
      atFieldStart = true;
    } else if (c !== ' ' && c !== '\t' && c !== '\r') {
      atFieldStart = false;
    }
  }
  return open;
}
