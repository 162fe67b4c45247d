/**
 * A command given as one string (command: "npm start") split into words as compose splits it (go-shellwords,
 * no variable expansion): whitespace separates, single quotes keep everything, double quotes keep all but
 * `\"`, `\\`, `\$` and `` \` ``, and a backslash outside quotes takes the next character literally.
 */
export class ShellWordsError extends Error {
  override readonly name = 'ShellWordsError';
}

export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word = (word ?? '') + c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word = (word ?? '') + text[++i];
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ShellWordsError('a command cannot end in a backslash');
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new ShellWordsError(`unterminated ${quote} quote`);
  if (word !== undefined) words.push(word);
  return words;
}
