/** Every item of a paged store query (the store returns at most `limit` items and a cursor per call). */
export async function allPages<T>(query: (page: { limit: number; cursor: string | null }) => Promise<{ items: T[]; cursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; cursor: string | null } = await query({ limit: 500, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}
