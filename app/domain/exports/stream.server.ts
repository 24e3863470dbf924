import { csvRow, type CsvCell } from "./csv";

/** Rows a batch at a time, in a stable order: the next call resumes after the last row given. */
export type CsvBatches = AsyncIterable<ReadonlyArray<readonly CsvCell[]>>;

export const EXPORT_BATCH_SIZE = 1000;

/**
 * A CSV file as a byte stream: the header, then each batch as the reader asks for it (one batch in
 * memory, whatever the list's size). A reader that goes away cancels the stream, and the batches
 * stop being read.
 */
export function csvStream(input: { header: readonly string[]; batches: CsvBatches }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = input.batches[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        // The BOM tells spreadsheets the file is UTF-8 (names with accents stay readable).
        controller.enqueue(encoder.encode(`\uFEFF${csvRow(input.header)}`));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map(csvRow).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * Keyset batches: `fetch(after)` returns up to `size` rows after the given row (null first), in the
 * list's order; `toCells` turns each into a record. Ends on a short batch.
 */
export async function* keysetBatches<Row>(input: {
  fetch: (after: Row | null, size: number) => Promise<Row[]>;
  toCells: (row: Row) => readonly CsvCell[];
  size?: number;
}): AsyncGenerator<Array<readonly CsvCell[]>> {
  const size = input.size ?? EXPORT_BATCH_SIZE;
  let after: Row | null = null;
  for (;;) {
    const rows: Row[] = await input.fetch(after, size);
    if (rows.length > 0) yield rows.map(input.toCells);
    if (rows.length < size) return;
    after = rows[rows.length - 1]!;
  }
}
