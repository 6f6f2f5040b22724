// What every tool argument must be, whatever its schema: text a process, an environment variable,
// a path or Temporal can carry (no NUL, no lone UTF-16 surrogate), nested only so deep. Checked
// before any tool runs, so such a value is refused naming its field instead of failing later,
// half-started, in a place that cannot say which argument was wrong.

/** Arrays and objects inside one argument; JSON Schemas and data parts need far fewer. */
export const MAX_ARGUMENT_DEPTH = 64;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first problem in a tool's arguments, said so that the caller knows what to change; or null. */
export function argumentProblem(args: unknown): string | null {
  // Iterative, so that input nested thousands of levels deep is measured, not a stack overflow.
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: args, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return `${path || 'the arguments'} ${problem}`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_ARGUMENT_DEPTH) {
      return `${topField(path)} is nested more than ${MAX_ARGUMENT_DEPTH} levels deep: Baton accepts at most ${MAX_ARGUMENT_DEPTH} levels of arrays and objects in one argument`;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return `a key in ${path || 'the arguments'} ${keyProblem}`;
      stack.push({ value: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}

function textProblem(text: string): string | null {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return `holds a NUL character (\\u0000) at index ${nul}: remove it. No program argument, environment variable or path can carry NUL, so Baton refuses it in every argument`;
  }
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    const unit = lone[0].charCodeAt(0).toString(16);
    return `holds a lone UTF-16 surrogate (\\u${unit}) at index ${lone.index}, which UTF-8 cannot carry: send well-formed Unicode text`;
  }
  return null;
}

/** The argument a path starts in: "input_message" of "input_message.parts[0].data.a". */
function topField(path: string): string {
  return /^[^.[]*/.exec(path)![0] || 'the arguments';
}
