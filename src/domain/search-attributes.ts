// Baton's custom search attributes. One list feeds the dev server's --search-attribute flags, the
// check at start-up, temporal-dev.yml's test and the workflows' upserts.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BATON_SEARCH_ATTRIBUTE_NAMES = ['BatonKind', 'BatonRole', 'BatonBackend', 'BatonStatus', 'BatonChannel', 'BatonParent', 'BatonSession'] as const;
export type BatonSearchAttributeName = (typeof BATON_SEARCH_ATTRIBUTE_NAMES)[number];

/** Every Baton attribute is a Keyword: exact match, as the Web UI's filters expect. */
export const BATON_SEARCH_ATTRIBUTE_TYPE = 'Keyword';

export const searchAttributeKeys = {
  kind: defineSearchAttributeKey('BatonKind', SearchAttributeType.KEYWORD),
  role: defineSearchAttributeKey('BatonRole', SearchAttributeType.KEYWORD),
  backend: defineSearchAttributeKey('BatonBackend', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('BatonStatus', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('BatonChannel', SearchAttributeType.KEYWORD),
  parent: defineSearchAttributeKey('BatonParent', SearchAttributeType.KEYWORD),
  session: defineSearchAttributeKey('BatonSession', SearchAttributeType.KEYWORD),
} as const;
