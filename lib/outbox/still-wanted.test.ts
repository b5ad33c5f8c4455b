import { describe, expect, it } from 'vitest';
import { stillWantedSql, type OutboxTemplate, type OutboxTemplates } from './templates';

const template = (stillWanted?: OutboxTemplate['stillWanted']): OutboxTemplate => ({
  audience: 'confirmed',
  stillWanted,
  render: async () => ({ subject: '', html: '', text: '' }) as never,
});
const templates = (byKind: OutboxTemplates['byKind']): OutboxTemplates => ({ byKind, recipientToken: () => '', links: () => ({ unsubscribeUrl: '', manageUrl: '' }) });

describe("the templates' stillWanted rules as SQL", () => {
  it('is false when no template has a rule, so only the audience checks apply', () => {
    expect(stillWantedSql(templates({ CONFIRMATION: template() }))).toEqual({ unwanted: 'false', why: 'NULL' });
  });

  it('names each kind with its rule and its reason, quotes escaped', () => {
    const sql = stillWantedSql(templates({ CONFIRMATION: template(), ANNOUNCEMENT: template({ sql: "s.delivery = 'EVERY'", otherwise: "reader's choice" }) }));
    expect(sql.unwanted).toBe("(o.kind = 'ANNOUNCEMENT' AND NOT (s.delivery = 'EVERY'))");
    expect(sql.why).toBe("CASE WHEN o.kind = 'ANNOUNCEMENT' AND NOT (s.delivery = 'EVERY') THEN 'reader''s choice' END");
  });
});
