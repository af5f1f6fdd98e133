/**
 * The JSON value of `text`, or `undefined` when it is not JSON. Never throws: a parser's
 * message would quote a piece of the text, which may hold a token.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
