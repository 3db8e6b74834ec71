// Loading a feed file: STIX JSON when the content starts with `{` or `[`, CSV or a plain list otherwise.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCsv } from './csv-loader.js';
import { IocSet } from './ioc-set.js';
import { IocFeedError, type LoadOptions, type LoadReport } from './ioc-types.js';
import { loadStix } from './stix-loader.js';

/** A set loaded from a file, with its load report. */
export interface LoadedIocSet {
  readonly set: IocSet;
  readonly report: LoadReport;
}

/**
 * Reads a feed file into a new set named `name` (default: the file's base name without extension).
 * Throws {@link IocFeedError} when the file cannot be read or is not a feed at all.
 */
export async function loadIocFile(
  file: string,
  options: LoadOptions & { readonly name?: string } = {},
): Promise<LoadedIocSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new IocFeedError(`cannot read IOC feed ${file}: ${(error as Error).message}`, { cause: error });
  }
  const set = new IocSet(options.name ?? path.basename(file, path.extname(file)));
  const first = /\S/.exec(text)?.[0];
  try {
    const report =
      first === '{' || first === '[' ? loadStix(set, text, options) : loadCsv(set, text, options);
    return { set, report };
  } catch (error) {
    if (error instanceof IocFeedError) throw new IocFeedError(`${file}: ${error.message}`, { cause: error });
    throw error;
  }
}
