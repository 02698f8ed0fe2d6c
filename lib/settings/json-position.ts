/**
 * Where a JSON text stops being valid: the 1-based line and column of the
 * first character that cannot be there (or just past the end when the text
 * ends too early). `undefined` when the text is valid JSON. Node's
 * `JSON.parse` messages name no position, which a user editing the file needs.
 */
export function jsonErrorPosition(text: string): { line: number; column: number } | undefined {
  let p = 0;
  const fail = (): never => {
    throw p;
  };
  const space = () => {
    while (p < text.length && ' \t\r\n'.includes(text[p] as string)) p += 1;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[p] !== ch) fail();
      p += 1;
    }
  };
  const string = () => {
    p += 1;
    for (;;) {
      if (p >= text.length) fail();
      const ch = text[p] as string;
      if (ch === '"') {
        p += 1;
        return;
      }
      if (ch < ' ') fail();
      p += ch === '\\' ? 2 : 1;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(p));
    if (!match) fail();
    p += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const ch = text[p];
    if (ch === '{') {
      p += 1;
      space();
      if (text[p] === '}') {
        p += 1;
        return;
      }
      for (;;) {
        space();
        if (text[p] !== '"') fail();
        string();
        space();
        if (text[p] !== ':') fail();
        p += 1;
        value();
        space();
        if (text[p] === ',') p += 1;
        else if (text[p] === '}') {
          p += 1;
          return;
        } else fail();
      }
    }
    if (ch === '[') {
      p += 1;
      space();
      if (text[p] === ']') {
        p += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[p] === ',') p += 1;
        else if (text[p] === ']') {
          p += 1;
          return;
        } else fail();
      }
    }
    if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    if (p < text.length) fail();
    return undefined;
  } catch (at) {
    if (typeof at !== 'number') throw at;
    const before = text.slice(0, at).split('\n');
    return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  }
}
