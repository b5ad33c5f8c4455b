import MiniSearch from 'minisearch';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packIndex, unpackIndex } from './packed';

// Documents with gaps in their ids, repeated words (frequencies above 1) and fields a term is absent from.
const docs = Array.from({ length: 60 }, (_, id) => ({
  id: id * 3 + 1,
  title: `part ${id % 7} of the quorum series`,
  text: `${'replica '.repeat((id % 4) + 1)}lease fencing token ${id % 5 === 0 ? 'partition partition' : 'write'} number${id}`,
}));

function plainIndex() {
  const search = new MiniSearch({ fields: ['title', 'text'] });
  search.addAll(docs);
  search.discard(docs[10]!.id); // a hole in the short ids, as after a removal
  return search.toJSON();
}

describe('packed search index', () => {
  it('unpacks to exactly what MiniSearch wrote', () => {
    const plain = JSON.parse(JSON.stringify(plainIndex()));
    const unpacked = unpackIndex(JSON.parse(JSON.stringify(packIndex(plain))));
    expect(unpacked).toEqual(plain);
  });

  it('ranks the same after the round trip', () => {
    const options = { fields: ['title', 'text'] };
    const original = MiniSearch.loadJS(plainIndex(), options);
    const restored = MiniSearch.loadJS(unpackIndex(JSON.parse(JSON.stringify(packIndex(plainIndex())))), options);
    for (const query of ['partition', 'replica lease', 'part 3', 'numb']) {
      expect(restored.search(query, { prefix: true })).toEqual(original.search(query, { prefix: true }));
    }
  });

  it('is smaller to download than MiniSearch own JSON', () => {
    const gz = (value: unknown) => gzipSync(JSON.stringify(value)).length;
    expect(gz(packIndex(plainIndex()))).toBeLessThan(gz(plainIndex()));
  });
});
