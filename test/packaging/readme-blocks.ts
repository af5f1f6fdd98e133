import { readFileSync } from 'node:fs';

/**
 * The parts of the README an application author copies: the files it prints (fenced blocks whose
 * first line is a `// path` comment) and its `npm` commands. The packaging test builds its app
 * from them, so that the README cannot drift from what works.
 */
export class ReadmeBlocks {
  private readonly text: string;

  constructor(path = 'README.md') {
    this.text = readFileSync(path, 'utf8');
  }

  /** The text between a `## heading` (or any line starting with `from`) and the line starting with `to`. */
  section(from: string, to: string): string {
    const start = this.text.indexOf(from);
    const end = this.text.indexOf(to, start + from.length);
    if (start < 0 || end < 0) throw new Error(`README: no section from "${from}" to "${to}"`);
    return this.text.slice(start, end);
  }

  /** The block printed as file `path` (its first line is `// path`), comment line included. */
  file(path: string): string {
    const blocks = [...this.text.matchAll(/^```[a-z]*\n(\/\/ ([^\n]+)\n[\s\S]*?)^```$/gm)];
    const found = blocks.filter((block) => block[2].trim() === path);
    if (found.length !== 1)
      throw new Error(`README: expected one block for ${path}, found ${found.length}`);
    return found[0][1];
  }

  /** The commands of the shell blocks of a section that start with `prefix` (comments stripped). */
  commands(section: string, prefix: string): string[][] {
    const lines = [...section.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].flatMap((block) =>
      block[1].split('\n'),
    );
    return lines
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.split(/\s+/));
  }
}
