// Every refused argument reads the same way, whether the tool's schema or the tool itself refused
// it: a line that starts with the field, says what is wrong and what to give instead, one line per
// problem (as the tools' own InputErrors do). The MCP SDK's own schema errors ("MCP error -32602:
// Input validation error: ..." with zod's issues as JSON) say that in no words a model can act on.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** One line per schema issue, naming the field and what to change. */
export function describeIssues(issues: readonly Issue[]): string[] {
  return issues.map(describeIssue);
}

function describeIssue(issue: Issue): string {
  const field = issue.path.map(String).join('.') || 'the arguments';
  // Messages Baton wrote itself already name the field and the fix.
  if (!issue.message.startsWith('Invalid input') && !issue.message.startsWith('Too ') && !issue.message.startsWith('Invalid ')) {
    return issue.path.length === 0 || issue.message.includes(field) ? issue.message : `${field}: ${issue.message}`;
  }
  switch (issue.code) {
    case 'invalid_type': {
      // zod keeps no input in its issues; its message ends with what it received.
      const received = /received (\w+)/.exec(issue.message)?.[1];
      if (received === 'undefined') return `${field} is required: give ${article(issue.expected)}`;
      return `${field} must be ${article(issue.expected)}${received ? `, not ${article(received)}` : ''}`;
    }
    case 'too_big':
      return `${field} is too ${issue.origin === 'string' ? 'long' : 'big'}: at most ${issue.maximum}${unit(issue.origin)}`;
    case 'too_small':
      return `${field} is too ${issue.origin === 'string' ? 'short' : 'small'}: at least ${issue.minimum}${unit(issue.origin)}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `${field} is not a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `${field} has no field ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove it`;
    default:
      return `${field}: ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function unit(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}
