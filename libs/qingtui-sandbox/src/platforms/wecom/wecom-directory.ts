/**
 * The members, departments and tags of a WeCom company, as `message/send`
 * resolves its `touser`, `toparty` and `totag`.
 */

/**
 * A company's directory, set through `setWecomDirectory` or
 * `POST /__sandbox/wecom-directory`. Userids are compared case-insensitively
 * (WeCom answers them in lowercase).
 */
export interface WecomDirectory {
  /**
   * Every member's userid (those of `departments`, `tags` and `unlicensed`
   * are members too). `touser` entries that are no member are invalid.
   */
  members: string[];
  /** Department id → its members' userids. Unlisted department ids are invalid. @default {} */
  departments?: Record<string, string[]>;
  /** Tag id → its members' userids. Unlisted tag ids are invalid. @default {} */
  tags?: Record<string, string[]>;
  /**
   * Members without a basic interface licence: answered in `unlicenseduser`
   * and not delivered to. @default []
   */
  unlicensed?: string[];
}

/** The recipients of a send, once resolved. */
export interface ResolvedRecipients {
  /** Who it goes to, each once, in order. */
  readonly members: string[];
  readonly invalidUsers: string[];
  readonly invalidParties: string[];
  readonly invalidTags: string[];
  readonly unlicensed: string[];
}

/** The three recipient fields of a send, split on `|`. */
export interface RecipientFields {
  readonly toUser: readonly string[];
  readonly toParty: readonly string[];
  readonly toTag: readonly string[];
}

interface ResolvedDirectory {
  readonly members: ReadonlySet<string>;
  readonly departments: ReadonlyMap<string, readonly string[]>;
  readonly tags: ReadonlyMap<string, readonly string[]>;
  readonly unlicensed: ReadonlySet<string>;
}

/**
 * The directory of each company. A company without one is open: every userid
 * is a member, `@all` is delivered to the recipient `@all`, and every numeric
 * department or tag id is valid and delivered to as `party:<id>` / `tag:<id>`
 * (the sandbox cannot list who is in them).
 */
export class WecomDirectories {
  private readonly corps = new Map<string, ResolvedDirectory>();

  /** Sets (or with `undefined` clears) a company's directory. @throws TypeError when it is malformed */
  set(corpId: string, directory: WecomDirectory | undefined): void {
    if (directory === undefined) {
      this.corps.delete(corpId);
      return;
    }
    this.corps.set(corpId, checkDirectory(directory));
  }

  /** Resolves the recipients of a send from the company's directory. */
  resolve(corpId: string, fields: RecipientFields): ResolvedRecipients {
    const directory = this.corps.get(corpId);
    const members = new Set<string>();
    const result = {
      invalidUsers: [] as string[],
      invalidParties: [] as string[],
      invalidTags: [] as string[],
      unlicensed: [] as string[],
    };
    const add = (userid: string): void => {
      if (directory?.unlicensed.has(userid)) {
        if (!result.unlicensed.includes(userid)) result.unlicensed.push(userid);
      } else {
        members.add(userid);
      }
    };
    const toUser = fields.toUser.map((userid) => userid.toLowerCase());
    if (toUser.includes('@all')) {
      // `@all` ignores toparty and totag.
      if (directory === undefined) members.add('@all');
      else for (const member of directory.members) add(member);
      return { members: [...members], ...result };
    }
    for (const userid of toUser) {
      if (directory === undefined || directory.members.has(userid)) add(userid);
      else result.invalidUsers.push(userid);
    }
    const groups = [
      { ids: fields.toParty, known: directory?.departments, invalid: result.invalidParties },
      { ids: fields.toTag, known: directory?.tags, invalid: result.invalidTags },
    ];
    for (const [index, { ids, known, invalid }] of groups.entries()) {
      for (const id of ids) {
        if (known === undefined) {
          if (/^\d+$/.test(id)) members.add(`${index === 0 ? 'party' : 'tag'}:${id}`);
          else invalid.push(id);
          continue;
        }
        const inGroup = known.get(id);
        if (inGroup === undefined) invalid.push(id);
        else for (const member of inGroup) add(member);
      }
    }
    return { members: [...members], ...result };
  }

  reset(): void {
    this.corps.clear();
  }
}

/**
 * Reads a directory sent as JSON to the control API.
 * @throws TypeError naming the field when it is malformed
 */
export function directoryFromJson(json: Record<string, unknown>): WecomDirectory {
  const { members, departments, tags, unlicensed } = json;
  return checkRaw({ members, departments, tags, unlicensed }) as WecomDirectory;
}

function checkDirectory(directory: WecomDirectory): ResolvedDirectory {
  checkRaw(directory as unknown as Record<string, unknown>);
  const lower = (list: readonly string[]): string[] => list.map((id) => id.toLowerCase());
  const members = new Set(lower(directory.members));
  const groups = (record: Record<string, string[]> | undefined): Map<string, string[]> =>
    new Map(Object.entries(record ?? {}).map(([id, list]) => [id, [...new Set(lower(list))]]));
  const departments = groups(directory.departments);
  const tags = groups(directory.tags);
  const unlicensed = new Set(lower(directory.unlicensed ?? []));
  // Everyone named in a department, a tag or the unlicensed list is a member too.
  for (const list of [...departments.values(), ...tags.values(), unlicensed]) {
    for (const member of list) members.add(member);
  }
  return { members, departments, tags, unlicensed };
}

function checkRaw(raw: Record<string, unknown>): unknown {
  if (!isStringList(raw.members)) throw new TypeError('members must be an array of userids');
  for (const field of ['departments', 'tags'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`${field} must be an object of id → array of userids`);
    }
    for (const [id, list] of Object.entries(value)) {
      if (!isStringList(list)) throw new TypeError(`${field}["${id}"] must be an array of userids`);
    }
  }
  if (raw.unlicensed !== undefined && !isStringList(raw.unlicensed)) {
    throw new TypeError('unlicensed must be an array of userids');
  }
  return raw;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}
