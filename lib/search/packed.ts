import type { AsPlainObject } from 'minisearch';

/**
 * MiniSearch's index in a smaller, lossless shape for the file browsers download. Its own JSON
 * spells every posting as `"docId": termFrequency` in an object per term and field; here each
 * term's postings are two arrays per field: the document ids as gaps from the previous one (small,
 * repetitive numbers that gzip well) and the frequencies (omitted when all are 1, the common case).
 * On the bench's 1,000-article mixed corpus: 1.13 MB gzip as MiniSearch writes it, 50 KB packed (that corpus
 * repeats a few bodies, so its gaps repeat too: distinct articles pack less well, but the same way).
 * unpackIndex gives back exactly what MiniSearch wrote, so ranking is the same on both sides.
 */
export type PackedIndex = {
  /** MiniSearch's own fields, unchanged, except the two rebuilt below. */
  meta: Omit<AsPlainObject, 'index' | 'fieldLength' | 'documentIds'>;
  /** documentIds and fieldLength as arrays by short id (MiniSearch numbers its documents 0, 1, 2...). */
  shortIds: number[];
  documentIds: unknown[];
  fieldLength: number[][];
  /** [term, fieldId, gaps, frequencies?, fieldId, gaps, frequencies?, ...] per term. */
  terms: (string | number | number[] | 0)[][];
};

export function packIndex(plain: AsPlainObject): PackedIndex {
  const { index, fieldLength, documentIds, ...meta } = plain;
  const shortIds = Object.keys(documentIds).map(Number);
  const terms = index.map(([term, fields]) => {
    const row: PackedIndex['terms'][number] = [term];
    for (const [fieldId, postings] of Object.entries(fields)) {
      const ids = Object.keys(postings).map(Number).sort((a, b) => a - b);
      const gaps = ids.map((id, i) => id - (ids[i - 1] ?? 0));
      const frequencies = ids.map((id) => postings[id]!);
      row.push(Number(fieldId), gaps, frequencies.every((f) => f === 1) ? 0 : frequencies);
    }
    return row;
  });
  return {
    meta,
    shortIds,
    documentIds: shortIds.map((id) => documentIds[id]),
    fieldLength: shortIds.map((id) => fieldLength[id] ?? []),
    terms,
  };
}

export function unpackIndex(packed: PackedIndex): AsPlainObject {
  const documentIds: AsPlainObject['documentIds'] = {};
  const fieldLength: AsPlainObject['fieldLength'] = {};
  packed.shortIds.forEach((id, i) => {
    documentIds[id] = packed.documentIds[i];
    fieldLength[id] = packed.fieldLength[i]!;
  });
  const index: AsPlainObject['index'] = packed.terms.map((row) => {
    const fields: Record<string, Record<string, number>> = {};
    for (let i = 1; i < row.length; i += 3) {
      const gaps = row[i + 1] as number[];
      const frequencies = row[i + 2] as number[] | 0;
      const postings: Record<string, number> = {};
      let id = 0;
      gaps.forEach((gap, j) => {
        id += gap;
        postings[id] = frequencies === 0 ? 1 : frequencies[j]!;
      });
      fields[row[i] as number] = postings;
    }
    return [row[0] as string, fields];
  });
  return { ...packed.meta, documentIds, fieldLength, index };
}
