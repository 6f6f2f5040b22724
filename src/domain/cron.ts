// Cron expressions as Temporal's ScheduleSpec.cronExpressions reads them (5, 6 or 7 fields, names,
// ranges, steps, lists, @hourly-style shorthands, a CRON_TZ= prefix and a # comment), checked
// before anything is created so the caller learns which field is wrong. Pure: no Node APIs.

export interface CronCheck {
  ok: boolean;
  /** What is wrong and how to fix it, when not ok. */
  error?: string;
  /** About how far apart two fires are at the closest, in seconds (see estimateGapSeconds). */
  gapSeconds?: number;
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names a value may be written as; matched by prefix, like the server does. */
  names?: readonly string[];
  /** The shortest prefix of a name that counts. */
  namePrefix?: number;
  /** Added to a name's index to get its value (months count from 1). */
  nameOffset?: number;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const SECOND: FieldRule = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namePrefix: 3, nameOffset: 1 };
// 7 is Sunday too, as in most crons.
const DAY_OF_WEEK: FieldRule = { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, namePrefix: 2, nameOffset: 0 };
const YEAR: FieldRule = { name: 'year', min: 2000, max: 2100 };

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAY_SECONDS = 24 * 3600;

/** Checks one cron expression; `minGapSeconds` refuses ones that fire more often than that. */
export function checkCron(expression: string, minGapSeconds: number): CronCheck {
  const fail = (why: string): CronCheck => ({ ok: false, error: `cron "${expression}" ${why}` });
  let text = expression.trim();
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    if (!isTimeZone(tz[1])) return fail(`names an unknown time zone "${tz[1]}": use an IANA name such as Europe/Berlin or UTC`);
    text = tz[2]!;
  }
  text = text.split('#')[0].trim();
  if (text.startsWith('@every')) return fail('uses @every: give interval_seconds instead');
  if (text.startsWith('@')) {
    const expanded = SHORTHANDS[text];
    if (!expanded) return fail(`has an unknown shorthand: use one of ${Object.keys(SHORTHANDS).join(', ')}, or five fields`);
    text = expanded;
  }
  const fields = text.split(/\s+/).filter((f) => f !== '');
  let layout: FieldRule[];
  let values: string[];
  if (fields.length === 5) {
    layout = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
    values = fields;
  } else if (fields.length === 6) {
    layout = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR];
    values = fields;
  } else if (fields.length === 7) {
    layout = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR];
    values = fields;
  } else {
    return fail(
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}: give 5 (minute hour day-of-month month day-of-week, e.g. "0 9 * * MON-FRI"), ` +
        '6 (the same plus year) or 7 (second first, then the same plus year), or a shorthand such as @hourly',
    );
  }
  const matched: number[][] = [];
  for (let i = 0; i < layout.length; i++) {
    const parsed = parseField(values[i], layout[i]);
    if (typeof parsed === 'string') return fail(parsed);
    matched.push(parsed);
  }
  const byName = (rule: FieldRule) => matched[layout.indexOf(rule)] ?? [rule === SECOND ? 0 : rule.min];
  const gapSeconds = estimateGapSeconds(byName(SECOND), byName(MINUTE), byName(HOUR));
  if (gapSeconds < minGapSeconds) return fail(`fires every ${gapSeconds} s or more often: schedules fire at most every ${minGapSeconds} s`);
  return { ok: true, gapSeconds };
}

/**
 * About the shortest time between two fires, from the finest field that takes more than one
 * value (seconds, then minutes, then hours); a day when none does. A daily or rarer expression
 * counts as a day: good enough for a catch-up window, which is all it is used for.
 */
function estimateGapSeconds(seconds: number[], minutes: number[], hours: number[]): number {
  if (seconds.length > 1) return cyclicGap(seconds, 60);
  if (minutes.length > 1) return cyclicGap(minutes, 60) * 60;
  if (hours.length > 1) return cyclicGap(hours, 24) * 3600;
  return DAY_SECONDS;
}

function cyclicGap(values: number[], cycle: number): number {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  let gap = sorted[0] + cycle - sorted[sorted.length - 1];
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

/** The values a field matches, or why it is invalid. */
function parseField(text: string, rule: FieldRule): number[] | string {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) return `has ${rule.name} "${text}" with more than one "/"`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) return `has ${rule.name} "${text}" with a step that is not a whole number of at least 1`;
      step = Number(stepText);
    }
    let start = rule.min;
    let end = rule.max;
    if (range !== '*') {
      const bounds = range.split('-');
      if (bounds.length > 2) return `has ${rule.name} "${text}" with more than one "-" in a range`;
      const first = parseValue(bounds[0], rule);
      if (first === null) return outOfRange(rule, text);
      start = first;
      end = stepText !== undefined ? rule.max : first;
      if (bounds.length === 2) {
        const last = parseValue(bounds[1], rule);
        if (last === null) return outOfRange(rule, text);
        if (last < first) return `has ${rule.name} "${text}" with a range that ends before it starts`;
        end = last;
      }
    }
    for (let v = start; v <= end; v += step) values.add(rule === DAY_OF_WEEK && v === 7 ? 0 : v);
  }
  return [...values];
}

function parseValue(text: string, rule: FieldRule): number | null {
  if (rule.names && text.length >= (rule.namePrefix ?? 1) && /^[a-z]+$/i.test(text)) {
    const index = rule.names.findIndex((name) => name.startsWith(text.toLowerCase()));
    return index < 0 ? null : index + (rule.nameOffset ?? 0);
  }
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= rule.min && value <= rule.max ? value : null;
}

function outOfRange(rule: FieldRule, text: string): string {
  const names = rule.names ? ` or a name such as ${rule === MONTH ? 'JAN' : 'MON'}` : '';
  return `has ${rule.name} "${text}": each value must be ${rule.min}-${rule.max}${names} (forms: *, 5, 1-5, */15, 1-5/2, 1,3,5)`;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
