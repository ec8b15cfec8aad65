// Types of spliceSection.mjs, for the TypeScript unit test.
export function spliceSection(document: string, section: string, before?: readonly string[]): string;
