// The inbox's limits and names, as the agentInbox workflow and the tools check them (pure).
import { describe, expect, it } from 'vitest';
import { agentNameProblem, channelAgentName, inboxFullProblem, inboxPage, INBOX_MAX_BYTES, INBOX_MAX_MESSAGES, type InboxState } from '../../src/domain/agent-inbox.js';

function state(count: number, bytes = 0): InboxState {
  const messages = Array.from({ length: count }, (_, i) => ({ seq: i + 1, from: 'a', text: 'x', sent_at: '2026-01-01T00:00:00Z' }));
  return { name: 'bob', holder: null, last_seq: count, messages, bytes: bytes || count * 2 };
}

describe('the inbox cap', () => {
  it('takes messages up to the count limit and refuses the next, naming the limit', () => {
    expect(inboxFullProblem(state(INBOX_MAX_MESSAGES - 1), { from: 'a', text: 'x' })).toBeNull();
    expect(inboxFullProblem(state(INBOX_MAX_MESSAGES), { from: 'a', text: 'x' })).toBe(
      `the inbox of "bob" is full: it holds ${INBOX_MAX_MESSAGES} unread messages, the limit is ${INBOX_MAX_MESSAGES}: wait until "bob" reads its messages, then send again`,
    );
  });

  it('counts bytes in UTF-8, text and from', () => {
    const almost = state(1, INBOX_MAX_BYTES - 4);
    expect(inboxFullProblem(almost, { from: 'a', text: 'é' })).toBeNull();
    expect(inboxFullProblem(almost, { from: 'ab', text: 'éé' })).toContain('over the limit of 1,048,576 bytes');
  });
});

describe('pages and names', () => {
  it('pages after a cursor, oldest first, saying how many are left', () => {
    expect(inboxPage(state(5), 1, 2)).toMatchObject({ messages: [{ seq: 2 }, { seq: 3 }], more: 2, last_seq: 5 });
  });

  it('names are 1-64 of [A-Za-z0-9._-]; a longer channel name is no agent name', () => {
    expect(agentNameProblem('a.b_c-9', 'to')).toBeNull();
    expect(agentNameProblem('a b', 'to')).toMatch(/^to "a b" is not an agent name/);
    expect(agentNameProblem('x'.repeat(65), 'to')).not.toBeNull();
    expect(channelAgentName('x'.repeat(65))).toBeNull();
    expect(channelAgentName('docs')).toBe('docs');
  });
});
